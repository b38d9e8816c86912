// mfs_ram server Worker entry.
import { runServer } from "../../kernel/ipc/server_runtime.ts";
import { createMfsRam } from "./setup.ts";

runServer(createMfsRam);
