// service: list the servers, or restart / crash one (as MINIX 3's service).
//
//   service [list]          name, pid, state, restarts, message counts
//   service restart NAME    restart NAME now
//   service crash NAME      make NAME crash (the supervisor restarts it)
//   NAME "fuse": the FUSE bridges (host mounts of ours), which mount again
import { print, serviceControl, serviceList, warn } from "../lib/mod.ts";

export function main(argv: string[]): number {
  const [cmd = "list", name] = argv.slice(1);
  if (cmd === "list") {
    const { servers: rows, pool, fuse } = serviceList();
    const table = [[
      "NAME",
      "EP",
      "PID",
      "STATE",
      "RESTARTS",
      "REQUESTS",
      "REPLIES",
      "ERRORS",
      "REJECTED",
      "CLIENTS",
      "UPTIME",
    ]];
    for (const r of rows) {
      table.push([
        r.name,
        String(r.endpoint),
        String(r.pid),
        r.state,
        String(r.restarts),
        String(r.requests),
        String(r.replies),
        String(r.errors),
        String(r.rejected),
        String(r.channels),
        `${(r.uptimeMs / 1000).toFixed(1)}s`,
      ]);
    }
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    for (const row of table) {
      print(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
    }
    for (const f of fuse) {
      print(
        `fuse: host ${f.dir} -> ${f.root}: ${f.state}, restarts ${f.restarts}, ` +
          `session pids ${f.pids.join(" ") || "-"}`,
      );
    }
    print(
      `program Workers: ${pool.warm} warm; spawns served by a recycled Worker ${pool.recycledTakes}, ` +
        `a warm one ${pool.warmTakes}, a cold start ${pool.coldTakes}; Workers started ${pool.started}`,
    );
    return 0;
  }
  if ((cmd === "restart" || cmd === "crash") && name !== undefined) {
    try {
      serviceControl(name, cmd);
    } catch (err) {
      warn(`${cmd} ${name}`, err);
      return 1;
    }
    print(`${name}: ${cmd === "crash" ? "crashed and restarted" : "restarted"}`);
    return 0;
  }
  warn(`usage: service [list | restart NAME | crash NAME]`);
  return 2;
}
