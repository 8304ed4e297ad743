-- IF NOT EXISTS (edited by hand): queues made before drizzle managed this schema
-- created the same tables themselves.
CREATE TABLE IF NOT EXISTS `rw_segments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`enqueued_at` integer NOT NULL,
	`samples` integer NOT NULL,
	`max_t` real NOT NULL,
	`body` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `rw_state` (
	`k` text PRIMARY KEY NOT NULL,
	`v` text NOT NULL
);
