CREATE TABLE `scrape_target_series` (
	`id` text NOT NULL,
	`seq` integer NOT NULL,
	`keys` text NOT NULL,
	PRIMARY KEY(`id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `scrape_targets` (
	`id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL
);
