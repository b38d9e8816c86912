// Session Worker entry serving the in-memory test filesystem (fuse_memfs.ts).
import { runFuseWorker } from "../../drivers/fuse/mod.ts";
import { createMemFs } from "./fuse_memfs.ts";

runFuseWorker(createMemFs);
