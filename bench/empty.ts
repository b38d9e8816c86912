// An empty program: boot_bench.ts times `deno run` of it as the cost of
// starting Deno itself.
