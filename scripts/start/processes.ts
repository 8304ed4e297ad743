import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Linux lists a process's children in /proc: reading it costs nothing, where a `ps`
 * every 200 ms while npm start starts cost a second of CPU. Undefined elsewhere. */
function procChildren(ppid: number, name: string): number[] | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${ppid}/task`);
  } catch {
    return undefined;
  }
  const pids: number[] = [];
  for (const task of tasks) {
    let list: string;
    try {
      list = readFileSync(`/proc/${ppid}/task/${task}/children`, "utf8");
    } catch {
      return undefined;
    }
    for (const pid of list.split(/\s+/).filter((p) => p !== "").map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith(name)) pids.push(pid);
      } catch {
        // gone meanwhile
      }
    }
  }
  return pids;
}

/** Processes whose parent is `ppid` and whose command name starts with `name`
 * (from /proc on Linux; `ps` works the same on Linux and macOS). */
export function childPids(ppid: number, name: string): number[] {
  const fromProc = procChildren(ppid, name);
  if (fromProc !== undefined) return fromProc;
  let text: string;
  try {
    text = execFileSync("ps", ["-A", "-o", "pid=,ppid=,comm="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m && Number(m[2]) === ppid && (m[3]!.split("/").pop() ?? "").startsWith(name)) pids.push(Number(m[1]));
  }
  return pids;
}

/** The parent of `pid`, or undefined when it cannot be told. */
export function parentOf(pid: number): number | undefined {
  try {
    const n = Number(execFileSync("ps", ["-o", "ppid=", "-p", String(pid)], { encoding: "utf8" }).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A process outside our process group that SIGKILLs `pid` when our end of its stdin
 * pipe closes without a word: that happens however we die, SIGKILL included, so
 * workerd never outlives the launcher. `release()` says goodbye first, after a clean stop. */
export function killWhenOrphaned(pid: number): { release(): void } {
  const guard = spawn("sh", ["-c", 'read _ || kill -KILL "$1" 2>/dev/null', "edgeprom-watchdog", String(pid)], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  guard.on("error", () => {});
  guard.stdin!.on("error", () => {});
  guard.unref();
  (guard.stdin as unknown as { unref?(): void }).unref?.();
  return { release: () => guard.stdin!.end("stopped\n") };
}
