// Session Worker entry serving the probe filesystem (fuse_probe.ts).
import { runFuseWorker } from "../../drivers/fuse/mod.ts";
import { createProbe } from "./fuse_probe.ts";

runFuseWorker(createProbe);
