// tty server Worker entry.
import { runServer } from "../../kernel/ipc/server_runtime.ts";
import { createTty } from "./ops.ts";

runServer(createTty);
