import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fakeRegistry } from "./fixtures/fake-bots.js";
import { meshToDot, renderSvg } from "./graph.js";
import { loadMeshConfig } from "./load.js";
import type { MeshConfig } from "./types.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

async function validMesh(): Promise<MeshConfig> {
  const { config } = await loadMeshConfig(path.join(FIXTURES, "valid", "mesh.yaml"), {
    env: { MESH_XMPP_PASSWORD: "pw" },
    registry: fakeRegistry(),
  });
  if (!config) throw new Error("fixture should load");
  return config;
}

function hasDot(): boolean {
  try {
    execFileSync("dot", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("meshToDot", () => {
  it("draws sources → rooms → bots → rooms and routes labelled with their rule", async () => {
    const dot = meshToDot(await validMesh());
    const lines = dot.split("\n").map((l) => l.trim());
    expect(lines).toContain('"bot:drop" [label="drop\\n(fake-feed)", shape=box];');
    expect(lines).toContain('"room:raw" [label="raw", shape=ellipse];');
    expect(lines).toContain('"bot:drop" -> "room:feeds.drop";');
    expect(lines).toContain('"room:raw" -> "bot:asn";');
    expect(lines).toContain('"bot:asn" -> "room:enriched";');
    expect(lines).toContain('"room:feeds.drop" -> "room:raw";');
    expect(lines).toContain(
      '"room:enriched" -> "room:alerts" [label="type = scanner and asn = 64496"];',
    );
    expect(lines).toContain(
      '"bot:archive" [label="archive\\n(fake-sink)\\ndisabled", shape=box, style=dashed];',
    );
    expect(dot).not.toContain("lobby");
    // The roomgraph instance is its routes, not a box wired to every room.
    expect(dot).not.toContain("bot:roomgraph");
  });

  it("escapes rule text for dot and is the same for the same config", async () => {
    const mesh = await validMesh();
    const rule = '"domain name" in example.com or /a\\.b/';
    mesh.roomgraph.routes = [
      { from: "raw", to: "lobby", where: "r" },
      { from: "raw", to: "alerts", ruleText: rule, where: "r" },
    ];
    const dot = meshToDot(mesh);
    expect(dot).toContain(
      '"room:raw" -> "room:alerts" [label="\\"domain name\\" in example.com or /a\\\\.b/"];',
    );
    expect(dot).not.toContain("lobby");
    expect(meshToDot(mesh)).toBe(dot);
  });

  it.skipIf(!hasDot())("renders SVG with Graphviz", async () => {
    const svg = await renderSvg(meshToDot(await validMesh()));
    expect(svg).toContain("<svg");
    expect(svg).toContain("type = scanner and asn = 64496");
  });
});
