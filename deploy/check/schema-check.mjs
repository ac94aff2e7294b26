// Schema check of rendered Kubernetes manifests, offline, in two passes:
//  1. every object against the OpenAPI schema of its apiVersion/kind (kubernetes-models, and KEDA's CRD schema
//     from @kubernetes-models/keda): types, required fields, enums, formats;
//  2. unknown fields (a typo such as `readinessprobe` passes pass 1): each object becomes a typed TypeScript
//     literal and tsc's excess-property check names any field the API does not have.
// Usage: node schema-check.mjs WORKDIR rendered-1.yaml [rendered-2.yaml ...]   exits 1 on any finding.
import { readFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { parseAllDocuments } from "yaml";

const [workDir, ...files] = process.argv.slice(2);
if (!workDir || files.length === 0) {
  console.error("usage: node schema-check.mjs WORKDIR FILE.yaml...");
  process.exit(2);
}

// apiVersion -> [package directory, group path inside it]
function modulePath(apiVersion, kind) {
  if (apiVersion.startsWith("keda.sh/")) return `@kubernetes-models/keda/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`; // "v1" -> kubernetes-models/v1/Kind
}

// Pretty-prints JSON one value per line and remembers which object path each line holds, so a tsc error
// (file, line) can be reported as a field path.
function printWithPaths(value) {
  const lines = [];
  const paths = [];
  const emit = (text, p) => { lines.push(text); paths.push(p); };
  const walk = (v, p, indent, prefix, suffix) => {
    const pad = "  ".repeat(indent);
    if (Array.isArray(v)) {
      if (v.length === 0) return emit(`${pad}${prefix}[]${suffix}`, p);
      emit(`${pad}${prefix}[`, p);
      v.forEach((item, i) => walk(item, `${p}[${i}]`, indent + 1, "", i < v.length - 1 ? "," : ""));
      return emit(`${pad}]${suffix}`, p);
    }
    if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length === 0) return emit(`${pad}${prefix}{}${suffix}`, p);
      emit(`${pad}${prefix}{`, p);
      keys.forEach((k, i) =>
        walk(v[k], p ? `${p}.${k}` : k, indent + 1, `${JSON.stringify(k)}: `, i < keys.length - 1 ? "," : ""));
      return emit(`${pad}}${suffix}`, p);
    }
    return emit(`${pad}${prefix}${JSON.stringify(v)}${suffix}`, p);
  };
  walk(value, "", 0, "", "");
  return { text: lines.join("\n"), paths };
}

const require = createRequire(import.meta.url);
const tscPath = require.resolve("typescript/bin/tsc");
const findings = [];
const tsFiles = new Map(); // file -> { label, paths, headerLines }
let objects = 0;

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

for (const file of files) {
  const source = path.basename(file, path.extname(file));
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      findings.push(`${source}: YAML error: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJSON();
    if (obj === null || obj === undefined) continue;
    objects++;
    const { apiVersion, kind } = obj;
    const label = `${source}: ${kind ?? "?"}/${obj.metadata?.name ?? "?"}`;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      findings.push(`${label}: apiVersion and kind are required`);
      continue;
    }
    const spec = modulePath(apiVersion, kind);
    let Model;
    try {
      Model = (await import(spec))[kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      findings.push(`${label}: no schema known for ${apiVersion} ${kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      for (const line of String(e.message).split(/\n|, (?=data)/)) findings.push(`${label}: ${line}`);
    }
    const { text, paths } = printWithPaths(obj);
    const header = [`import type { I${kind} } from "${spec}";`, `export const object: I${kind} = `];
    const tsFile = path.join(workDir, `${String(objects).padStart(3, "0")}-${source}-${kind}.ts`);
    writeFileSync(tsFile, header.join("\n") + text + ";\n");
    tsFiles.set(path.resolve(tsFile), { label, paths, headerLines: header.length - 1 });
  }
}

if (tsFiles.size > 0) {
  const tsc = spawnSync(process.execPath, [tscPath, "--noEmit", "--strict", "--skipLibCheck", "--pretty", "false",
    "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
    ...tsFiles.keys()], { encoding: "utf8", cwd: workDir });
  const out = `${tsc.stdout}${tsc.stderr}`;
  for (const line of out.split("\n")) {
    const m = line.match(/^(.*\.ts)\((\d+),(\d+)\): error TS\d+: (.*)$/);
    if (!m) {
      if (line.includes("error TS")) findings.push(`tsc: ${line.trim()}`);
      continue;
    }
    const info = tsFiles.get(path.resolve(workDir, m[1]));
    if (!info) {
      findings.push(`tsc: ${line}`);
      continue;
    }
    const at = info.paths[Number(m[2]) - 1 - info.headerLines] ?? "?";
    findings.push(`${info.label}: at ${at || "(root)"}: ${m[4]}`);
  }
  if (tsc.status !== 0 && !out.includes("error TS")) findings.push(`tsc failed: ${out.trim() || tsc.error}`);
}

if (findings.length > 0) {
  for (const f of findings) console.error(`  ${f}`);
  console.error(`schema: ${findings.length} finding(s) in ${objects} objects`);
  process.exit(1);
}
console.log(`schema: ${objects} objects valid (OpenAPI types and required fields; no unknown fields)`);
