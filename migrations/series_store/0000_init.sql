CREATE TABLE `chunks` (
	`id` integer PRIMARY KEY NOT NULL,
	`series_id` integer NOT NULL,
	`min_time` integer NOT NULL,
	`max_time` integer NOT NULL,
	`num_samples` integer NOT NULL,
	`ooo` integer NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chunks_series_time` ON `chunks` (`series_id`,`max_time`);--> statement-breakpoint
CREATE INDEX `chunks_max_time` ON `chunks` (`max_time`);--> statement-breakpoint
CREATE TABLE `head_chunks` (
	`series_id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`head` blob,
	`ooo` blob
);
--> statement-breakpoint
CREATE TABLE `postings` (
	`name` text NOT NULL,
	`value` text NOT NULL,
	`series_id` integer NOT NULL,
	PRIMARY KEY(`name`, `value`, `series_id`)
);
--> statement-breakpoint
CREATE INDEX `postings_series` ON `postings` (`series_id`);--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY NOT NULL,
	`labels` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_labels_unique` ON `series` (`labels`);--> statement-breakpoint
CREATE TABLE `wal` (
	`seq` integer PRIMARY KEY NOT NULL,
	`data` blob NOT NULL
);
