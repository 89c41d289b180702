// After tsc: the optional peer dependencies (etcd3, node-zookeeper-client, prom-client,
// @opentelemetry/api) are loaded on first use, but a few emitted .d.ts import their
// types. An app that installs none of them and type-checks without skipLibCheck would
// fail with TS2307; a `@ts-ignore` on those imports makes the types `any` there and
// keeps the real types when the peer is installed. (tsc drops such comments from
// declaration output, hence this step.)
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const optionalPeers = ["etcd3", "node-zookeeper-client", "prom-client", "@opentelemetry/api"];
const importLine = new RegExp(`^(import [^\\n]* from "(${optionalPeers.join("|")})";)$`, "gm");

let marked = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const file = path.join(entry.parentPath, entry.name);
  const text = readFileSync(file, "utf8");
  const next = text.replace(importLine, (line, _all, peer) => {
    marked += 1;
    return `// @ts-ignore -- ${peer} is an optional peer dependency of @rpcgen/runtime; without it these types are \`any\`.\n${line}`;
  });
  if (next !== text) writeFileSync(file, next);
}
if (marked === 0) throw new Error("optional-peer-types: no import of an optional peer found in dist/ (did the layout change?)");
