/** Own and ignored networks: addresses in them are left out of a report's items, or flagged. */
import { contains, parseAddr, rangeOf, readRange, type IpRange } from "../../core/index.js";
import type { Item, NetworkFlag } from "./items.js";

export interface Networks {
  own: IpRange[];
  ignored: IpRange[];
  /** Leave items in these networks out (`drop`, the default) or keep them flagged (`mark`). */
  action: "drop" | "mark";
}

export interface NetworksConfig {
  own?: readonly string[];
  ignored?: readonly string[];
  action?: "drop" | "mark";
}

/** Read network lists; throws one Error naming every bad entry (`own[1]: ...`). */
export function readNetworks(config: NetworksConfig, where = "networks"): Networks {
  const problems: string[] = [];
  const read = (name: "own" | "ignored"): IpRange[] =>
    (config[name] ?? []).flatMap((text, i) => {
      const r = readRange(String(text));
      if (typeof r !== "string") return [r];
      problems.push(`${where}.${name}[${i}]: ${JSON.stringify(text)}: ${r}`);
      return [];
    });
  const own = read("own");
  const ignored = read("ignored");
  const action = config.action ?? "drop";
  if (action !== "drop" && action !== "mark") {
    problems.push(`${where}.action: expected drop or mark, got ${JSON.stringify(action)}`);
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  return { own, ignored, action };
}

/** Which list an address (or a URL's address host) is in; own networks first. */
export function networkFlag(
  item: Pick<Item, "kind" | "value">,
  nets: Networks,
): NetworkFlag | undefined {
  const host = item.kind === "ip" ? item.value : item.kind === "url" ? urlHost(item.value) : "";
  const a = parseAddr(host.replace(/^\[|\]$/g, ""));
  if (!a) return undefined;
  const r = rangeOf(a);
  if (nets.own.some((n) => contains(n, r))) return "own network";
  if (nets.ignored.some((n) => contains(n, r))) return "ignored";
  return undefined;
}

/** The host part of a URL the mesh wrote (brackets kept for IPv6). */
function urlHost(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  return hostPort.startsWith("[")
    ? hostPort.slice(0, hostPort.indexOf("]") + 1)
    : (hostPort.split(":")[0] ?? "");
}
