// The managed servers do what the mesh relies on: accounts, MUC, components, MAM, restarts.
import type { XmppClient } from "@xmpp/client";
import type { XmppComponent } from "@xmpp/component";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachServer, TEST_COMPONENT } from "../harness/servers.js";
import {
  connectClient,
  connectComponent,
  joinRoom,
  nextStanza,
  queryRoomArchive,
  sendGroupchat,
  type Entity,
} from "../harness/xmpp.js";

const ROOM = "test@rooms.localhost";
const COMPONENT_JID = `historian@${TEST_COMPONENT.domain}/x`;

const bodyOf = (el: { getChildText(name: string): string | null }): string | null =>
  el.getChildText("body");

/** The next groupchat from `room` with this body, as `entity` receives it. */
const groupchat = (entity: Entity, body: string) =>
  nextStanza(
    entity,
    `groupchat "${body}"`,
    (el) =>
      el.is("message") &&
      el.attrs.type === "groupchat" &&
      el.attrs.from?.startsWith(`${ROOM}/`) === true &&
      bodyOf(el) === body,
  );

describeEachServer("managed XMPP server", (server) => {
  let alice: XmppClient | undefined;
  let bob: XmppClient | undefined;
  let historian: XmppComponent | undefined;

  beforeAll(async () => {
    await server().register("alice", "alice-pw");
    await server().register("bob", "bob-pw");
  });

  afterAll(async () => {
    for (const e of [alice, bob, historian]) await e?.stop().catch(() => {});
  });

  it("relays a groupchat message between two registered clients", async () => {
    alice = await connectClient(server(), "alice", "alice-pw");
    bob = await connectClient(server(), "bob", "bob-pw");
    await joinRoom(alice, ROOM, "alice");
    await joinRoom(bob, ROOM, "bob");
    const received = groupchat(bob, "hello from alice");
    await sendGroupchat(alice, ROOM, "hello from alice");
    expect((await received).attrs.from).toBe(`${ROOM}/alice`);
  });

  it("refuses a wrong password", async () => {
    await expect(connectClient(server(), "alice", "not-the-password", "bad")).rejects.toThrow();
  });

  it("lets an XEP-0114 component join the room and receive its messages", async () => {
    historian = await connectComponent(server(), TEST_COMPONENT.domain, TEST_COMPONENT.secret);
    await joinRoom(historian, ROOM, "historian", COMPONENT_JID);
    const received = groupchat(historian, "for the historian");
    await sendGroupchat(alice!, ROOM, "for the historian");
    expect((await received).attrs.to).toBe(COMPONENT_JID);
  });

  it("archives room messages for MAM queries", async () => {
    const bodies = ["mam one", "mam two", "mam three"];
    for (const body of bodies) {
      const reflected = groupchat(alice!, body); // the room has archived it once it reflects
      await sendGroupchat(alice!, ROOM, body);
      await reflected;
    }
    const archived = (await queryRoomArchive(bob!, ROOM)).map(bodyOf);
    expect(archived.filter((b) => b?.startsWith("mam "))).toEqual(bodies);
    // The component reads the archive the same way (with from=), as the historian will.
    const forComponent = await queryRoomArchive(historian!, ROOM, { from: COMPONENT_JID });
    expect(forComponent.map(bodyOf)).toEqual(expect.arrayContaining(bodies));
  });

  it("keeps accounts and room archives across restart()", async () => {
    for (const e of [alice, bob, historian]) await e?.stop();
    alice = bob = historian = undefined;
    const pidBefore = server().pid;
    await server().restart();
    expect(server().pid).not.toBe(pidBefore);
    alice = await connectClient(server(), "alice", "alice-pw");
    await joinRoom(alice, ROOM, "alice");
    const archived = (await queryRoomArchive(alice, ROOM)).map(bodyOf);
    expect(archived).toEqual(expect.arrayContaining(["hello from alice", "mam three"]));
  });
});
