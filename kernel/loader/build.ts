// Program images: how a TypeScript program in userland/bin becomes the text
// an exec hands to a Worker.
//
// A program Worker has no permissions at all, so it cannot import files; it
// gets its program as text and evaluates it with `new Function` (an import()
// of a blob costs ~1 ms more, ../shared/MEASURED.md). The image is:
//   line 1   IMAGE_MAGIC, then the program's name
//   rest     CommonJS (sucrase strips the types and turns imports into
//            require() calls), with loop guards inserted (guard.ts)
// A program may import the userland library and node:util, which the runtime
// already holds (`require("lib/<file>")`), and other userland modules, which
// are bundled into its image.
//
// Images are cached in .cache/images by a hash of their source, so a warm boot
// builds nothing.

import { insertGuards } from "./guard.ts";

export const IMAGE_MAGIC = "//#!mello-image v1";
const BUILD_VERSION = "4";
const LIB_PREFIX = "lib/";

const repoRoot = new URL("../../", import.meta.url);
const cacheDir = new URL(".cache/images/", repoRoot);
const userlandDir = new URL("userland/", repoRoot);
const libDir = new URL("userland/lib/", repoRoot);

type Transform = (code: string, opts: { transforms: string[]; filePath: string }) => {
  code: string;
};
let sucrase: Transform | undefined;

async function transformer(): Promise<Transform> {
  if (sucrase === undefined) sucrase = (await import("sucrase")).transform as Transform;
  return sucrase;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Turn one program into its image text. Modules it imports from userland/
 * other than the library (the shell's parser, say) are bundled into the
 * image; the library and node:util are left for the runtime to provide.
 */
export async function compileProgram(name: string, source: string, file: URL): Promise<string> {
  const transform = await transformer();
  const bundled = new Map<string, string>(); // key -> guarded CommonJS
  const compile = async (src: string, at: URL): Promise<string> => {
    const cjs =
      transform(src, { transforms: ["typescript", "imports"], filePath: at.pathname }).code;
    const deps: URL[] = [];
    const linked = cjs.replace(/require\((['"])([^'"]+)\1\)/g, (_m, _q, spec: string) => {
      const key = resolveImport(spec, at, name);
      if (!key.startsWith(LIB_PREFIX) && !NODE_MODULES.includes(key)) deps.push(new URL(spec, at));
      return `require(${JSON.stringify(key)})`;
    });
    for (const dep of deps) {
      const key = dep.href.slice(userlandDir.href.length);
      if (bundled.has(key)) continue;
      bundled.set(key, ""); // mark first: import cycles stop here
      bundled.set(key, await compile(await Deno.readTextFile(dep), dep));
    }
    return insertGuards(linked);
  };
  const main = await compile(source, file);
  if (bundled.size === 0) return `${IMAGE_MAGIC} ${name}\n${main}`;
  const table = [...bundled].map(([key, code]) =>
    `${JSON.stringify(key)}: function (require, exports, module) {\n${code}\n}`
  ).join(",\n");
  return `${IMAGE_MAGIC} ${name}
const __bundle = {
${table}
};
const __loaded = {};
const __outer = require;
require = function (key) {
  const init = __bundle[key];
  if (init === undefined) return __outer(key);
  let m = __loaded[key];
  if (m === undefined) {
    m = __loaded[key] = { exports: {} };
    init(require, m.exports, m);
  }
  return m.exports;
};
${main}`;
}

/** Node built-ins the runtime provides to programs (loaded once per Worker). */
export const NODE_MODULES = ["node:util"];

function resolveImport(spec: string, from: URL, name: string): string {
  if (NODE_MODULES.includes(spec)) return spec;
  const target = spec.startsWith(".") ? new URL(spec, from).href : "";
  if (target.startsWith(libDir.href)) return LIB_PREFIX + target.slice(libDir.href.length);
  if (target.startsWith(userlandDir.href) && target.endsWith(".ts")) {
    return target.slice(userlandDir.href.length);
  }
  throw new Error(
    `${name}: may import only userland modules and ${NODE_MODULES.join(", ")}, not ${spec}`,
  );
}

/** Text of every module a program may bundle (userland/ beside bin/ and lib/), for cache keys. */
async function bundleSources(): Promise<string> {
  const parts: string[] = [];
  const walk = async (dir: URL, rel: string) => {
    const entries: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = rel + e.name;
      if (e.isDirectory && path !== "bin" && path !== "lib" && path !== "runtime") {
        await walk(new URL(e.name + "/", dir), path + "/");
      } else if (e.isFile && e.name.endsWith(".ts") && rel !== "") {
        parts.push(path, await Deno.readTextFile(new URL(e.name, dir)));
      }
    }
  };
  await walk(userlandDir, "");
  return parts.join("\0");
}

/** Build (or fetch from the cache) the image of the program at `file`. */
export async function buildProgram(file: URL, shared?: string): Promise<string> {
  const name = file.pathname.split("/").pop()!.replace(/\.ts$/, "");
  const source = await Deno.readTextFile(file);
  const key = await sha256(
    `${BUILD_VERSION}\0${name}\0${source}\0${shared ?? await bundleSources()}`,
  );
  const cached = new URL(`${key}.js`, cacheDir);
  try {
    return await Deno.readTextFile(cached);
  } catch {
    // not cached yet
  }
  const image = await compileProgram(name, source, file);
  await Deno.mkdir(cacheDir, { recursive: true });
  const tmp = new URL(`${key}.${crypto.randomUUID()}.tmp`, cacheDir);
  await Deno.writeTextFile(tmp, image);
  await Deno.rename(tmp, cached);
  return image;
}

/** Every program in `dir` (default userland/bin), by name. */
export async function buildUserland(
  dir = new URL("userland/bin/", repoRoot),
): Promise<Map<string, string>> {
  const files: URL[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ts")) files.push(new URL(e.name, dir));
  }
  files.sort((a, b) => a.href.localeCompare(b.href));
  const shared = await bundleSources();
  const images = await Promise.all(files.map((f) => buildProgram(f, shared)));
  return new Map(
    files.map((f, i) => [f.pathname.split("/").pop()!.replace(/\.ts$/, ""), images[i]]),
  );
}

/** The program name an image declares, or undefined if `text` is no image. */
export function imageName(text: string): string | undefined {
  if (!text.startsWith(IMAGE_MAGIC + " ")) return undefined;
  const nl = text.indexOf("\n");
  return text.slice(IMAGE_MAGIC.length + 1, nl < 0 ? undefined : nl);
}
