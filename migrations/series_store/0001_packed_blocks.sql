CREATE TABLE `blocks` (
	`id` integer PRIMARY KEY NOT NULL,
	`partition` integer NOT NULL,
	`min_time` integer NOT NULL,
	`max_time` integer NOT NULL,
	`num_chunks` integer NOT NULL,
	`num_samples` integer NOT NULL,
	`idx` blob NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `head_snapshot` (
	`part` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `series_segments` (
	`id` integer PRIMARY KEY NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
DROP INDEX `chunks_series_time`;--> statement-breakpoint
DROP INDEX `chunks_max_time`;--> statement-breakpoint
DROP INDEX `postings_series`;--> statement-breakpoint
DROP INDEX `series_labels_unique`;