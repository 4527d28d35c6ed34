/** Named counters, overall and per room, shown by `!status` and logged at shutdown. */
export class Counters {
  readonly #totals = new Map<string, number>();
  readonly #rooms = new Map<string, Map<string, number>>();

  inc(name: string, n = 1, room?: string): void {
    this.#totals.set(name, (this.#totals.get(name) ?? 0) + n);
    if (room === undefined) return;
    let perRoom = this.#rooms.get(room);
    if (perRoom === undefined) this.#rooms.set(room, (perRoom = new Map<string, number>()));
    perRoom.set(name, (perRoom.get(name) ?? 0) + n);
  }

  get(name: string, room?: string): number {
    const map = room === undefined ? this.#totals : this.#rooms.get(room);
    return map?.get(name) ?? 0;
  }

  snapshot(): { totals: Record<string, number>; rooms: Record<string, Record<string, number>> } {
    const rooms: Record<string, Record<string, number>> = {};
    for (const [room, map] of this.#rooms) rooms[room] = Object.fromEntries(map);
    return { totals: Object.fromEntries(this.#totals), rooms };
  }
}
