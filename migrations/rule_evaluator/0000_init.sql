CREATE TABLE `rule_groups` (
	`key` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rule_series` (
	`group_key` text NOT NULL,
	`idx` integer NOT NULL,
	`rule_id` text NOT NULL,
	`keys` text NOT NULL,
	PRIMARY KEY(`group_key`, `idx`)
);
