/** Base class of every error the XMPP layer throws; `condition` is the XMPP error condition. */
export class XmppError extends Error {
  override name = "XmppError";
  constructor(
    message: string,
    readonly condition?: string,
  ) {
    super(message);
  }
}

/** Bad connection settings, found before any socket is opened. */
export class XmppConfigError extends XmppError {
  override name = "XmppConfigError";
}

/** Refused to send credentials or stanzas in the clear to a host that is not loopback. */
export class InsecureConnectionError extends XmppError {
  override name = "InsecureConnectionError";
}

/** The server refused our credentials or component secret: retrying will not help. */
export class AuthenticationError extends XmppError {
  override name = "AuthenticationError";
}

/** Another session logged in with our full JID (RFC 6120 §4.9.3.3 conflict). */
export class SessionReplacedError extends XmppError {
  override name = "SessionReplacedError";
}

/** A stanza was sent while the connection was not online. */
export class NotConnectedError extends XmppError {
  override name = "NotConnectedError";
  constructor() {
    super("not connected to the XMPP server");
  }
}

/** A MUC join failed (XEP-0045 §7.2): `condition` says why, e.g. `forbidden`. */
export class MucJoinError extends XmppError {
  override name = "MucJoinError";
  constructor(
    readonly room: string,
    condition: string,
    text?: string,
  ) {
    super(`joining ${room} failed: ${condition}${text ? ` (${text})` : ""}`, condition);
  }
}

/** An IQ request got an error reply or no reply in time. */
export class IqError extends XmppError {
  override name = "IqError";
}

/** The connection or publisher was stopped while an operation waited. */
export class StoppedError extends XmppError {
  override name = "StoppedError";
  constructor(what = "connection") {
    super(`${what} stopped`);
  }
}
