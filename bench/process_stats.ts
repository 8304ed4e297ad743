import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** What the side-by-side benchmarks read about the processes they compare. */

const CLK_TCK = 100;

/** User plus system CPU seconds a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of the whole line (11, 12 after the comm).
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** Running workerd processes started by this process (Miniflare spawns them); a
 * benchmark diffs the set before and after it starts Miniflare to find its own.
 * Other people's workerd on the same machine come and go and are not ours. */
export function workerdPids(): number[] {
  let pids: number[];
  try {
    pids = execFileSync("pgrep", ["-f", "workerd serve"], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return pids.filter((p) => descendsFrom(p, process.pid));
}

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid; p > 1; ) {
    let parent: number;
    try {
      parent = Number(readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
    } catch {
      return false;
    }
    if (parent === ancestor) return true;
    p = parent;
  }
  return false;
}

/** POSTs a snappy-compressed remote-write body, failing on anything but success. */
export async function postRemoteWrite(url: string, body: Uint8Array): Promise<void> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" } });
  if (res.status !== 204 && res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
