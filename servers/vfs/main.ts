// VFS server Worker entry.
import { runServer } from "../../kernel/ipc/server_runtime.ts";
import { createVfs } from "./ops.ts";

runServer(createVfs);
