CREATE TABLE `push_group_parts` (
	`key` text NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`key`, `seq`)
);
--> statement-breakpoint
-- Groups stored before parts existed become their own part 0 (hand-added: drizzle-kit would drop them).
INSERT INTO `push_group_parts` (`key`, `seq`, `data`) SELECT `key`, 0, `families` FROM `push_groups`;
--> statement-breakpoint
ALTER TABLE `push_groups` DROP COLUMN `families`;