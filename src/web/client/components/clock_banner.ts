import { api } from "../api.js";
import { clockOffset, clockSkewed, type ClockOffset } from "../clock.js";
import { h } from "../dom.js";
import { humanizeDuration } from "../format/duration.js";

/** Asks the server for time() and shows a banner when the browser's clock is off by
 * more than a few seconds: graphs ending "now" and relative times would be wrong. */
export async function checkClock(container: HTMLElement): Promise<void> {
  let offset: ClockOffset;
  try {
    const sent = Date.now();
    const res = await api<{ resultType: string; result: [number, string] }>("/api/v1/query", { query: "time()" });
    const received = Date.now();
    if (res.data.resultType !== "scalar") return;
    offset = clockOffset(res.data.result[0], sent, received);
  } catch {
    // No query API (or no server): nothing to compare with.
    return;
  }
  if (!clockSkewed(offset)) return;
  const ahead = offset.offsetMs < 0;
  // Whole seconds: the measurement is only good to half a round trip anyway.
  const amount = humanizeDuration(Math.round(Math.abs(offset.offsetMs) / 1000) * 1000);
  const close = h("button", { type: "button", class: "banner-close", "aria-label": "Dismiss clock warning", onclick: () => el.remove() }, "×");
  const el = h(
    "div",
    { class: "banner banner-warning", role: "alert", "data-testid": "clock-banner" },
    h(
      "p",
      null,
      h("strong", null, "Your browser's clock is off. "),
      `It is ${amount} ${ahead ? "ahead of" : "behind"} the server's. Times shown relative to now and graphs ending now may be shifted by that much.`,
    ),
    close,
  );
  container.append(el);
}
