CREATE TABLE `push_groups` (
	`key` text PRIMARY KEY NOT NULL,
	`labels` text NOT NULL,
	`families` blob NOT NULL,
	`push_times` text NOT NULL
);
