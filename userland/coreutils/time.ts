// Times as GNU tools print and parse them. MelloOS has no time zones: every
// time is UTC ("+0000"), as GNU tools print it with TZ=UTC0.

import type { Stat } from "../lib/mod.ts";

type Timespec = Stat["mtime"];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SIX_MONTHS_SEC = 31556952 / 2; // half an average Gregorian year, as ls uses

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Now in seconds and nanoseconds. */
export function now(): Timespec {
  const ms = Date.now();
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: (ms - sec * 1000) * 1e6 };
}

/** ls -l's date: "Nov 26 05:40" within six months of now, else "Nov 26  2025". */
export function lsDate(t: Timespec, nowSec = now().sec): string {
  const d = new Date(t.sec * 1000);
  const day = String(d.getUTCDate()).padStart(2, " ");
  const head = `${MONTHS[d.getUTCMonth()]} ${day}`;
  const recent = t.sec > nowSec - SIX_MONTHS_SEC && t.sec <= nowSec;
  if (recent) return `${head} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const y = d.getUTCFullYear();
  return `${head} ${String(y).padStart(5, " ")}`;
}

/** stat's %y: "2025-11-26 05:40:12.123456789 +0000". */
export function statDate(t: Timespec): string {
  const d = new Date(t.sec * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.` +
    `${pad(t.nsec, 9)} +0000`;
}

/**
 * Parse a date as touch -d takes it (the ISO 8601 forms and "@SECONDS" of
 * GNU parse_datetime, plus "now", "today", "yesterday", "tomorrow").
 * Undefined if not understood.
 */
export function parseDate(s: string, base = now()): Timespec | undefined {
  const t = s.trim();
  const epoch = /^@(-?\d+)(?:[.,](\d{1,9})\d*)?$/.exec(t);
  if (epoch !== null) {
    return { sec: Number(epoch[1]), nsec: Number((epoch[2] ?? "").padEnd(9, "0")) };
  }
  const words: Record<string, number> = { now: 0, today: 0, yesterday: -86400, tomorrow: 86400 };
  if (Object.hasOwn(words, t.toLowerCase())) {
    return { sec: base.sec + words[t.toLowerCase()], nsec: base.nsec };
  }
  const m =
    /^(\d{4,})-(\d{1,2})-(\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9})\d*)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i
      .exec(t);
  if (m === null) return undefined;
  const [year, month, day, hour, min, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) =>
    Number(x ?? 0)
  );
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return undefined;
  }
  let secs = Date.UTC(year, month - 1, day, hour, min, sec) / 1000;
  if (new Date(secs * 1000).getUTCDate() !== day) return undefined;
  const zone = m[8];
  if (zone !== undefined && /^[+-]/.test(zone)) {
    const z = zone.replace(":", "");
    const off = Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60;
    secs -= z[0] === "+" ? off : -off;
  }
  return { sec: secs, nsec: Number((m[7] ?? "").padEnd(9, "0")) };
}

/** touch -t [[CC]YY]MMDDhhmm[.ss]; undefined if malformed. */
export function parseTouchStamp(s: string, base = now()): Timespec | undefined {
  const m = /^(\d{8}|\d{10}|\d{12})(?:\.(\d{2}))?$/.exec(s);
  if (m === null) return undefined;
  const digits = m[1];
  let year: number;
  let rest: string;
  if (digits.length === 12) {
    year = Number(digits.slice(0, 4));
    rest = digits.slice(4);
  } else if (digits.length === 10) {
    const yy = Number(digits.slice(0, 2));
    year = yy < 69 ? 2000 + yy : 1900 + yy;
    rest = digits.slice(2);
  } else {
    year = new Date(base.sec * 1000).getUTCFullYear();
    rest = digits;
  }
  const month = Number(rest.slice(0, 2));
  const day = Number(rest.slice(2, 4));
  const hour = Number(rest.slice(4, 6));
  const min = Number(rest.slice(6, 8));
  const sec = Number(m[2] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return undefined;
  }
  const secs = Date.UTC(year, month - 1, day, hour, min, sec) / 1000;
  if (new Date(secs * 1000).getUTCDate() !== day) return undefined;
  return { sec: secs, nsec: 0 };
}
