CREATE TABLE `scrape_target_metadata` (
	`id` text PRIMARY KEY NOT NULL,
	`metadata` text NOT NULL
);
