-- Prosody for the compose deployment: c2s for operators, a component port for the mesh.
-- TLS certificates are expected in /etc/prosody/certs (mount them); see README "Deployment".
admins = { }
modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix"; "carbons"; "pep"; "smacks"; "mam";
}
-- Do not load "limits": Debian's default throttles every client to 10 kB/s.
interfaces = { "*" }
c2s_require_encryption = true
s2s_require_encryption = true
authentication = "internal_hashed"
storage = "internal"
log = { info = "*console" }
pidfile = "/var/run/prosody/prosody.pid"
component_interface = "127.0.0.1" -- the mesh shares this network namespace
component_ports = { 5347 }
max_stanza_size = 1048576

VirtualHost (os.getenv("MESH_DOMAIN") or "example.org")

Component ("conference." .. (os.getenv("MESH_DOMAIN") or "example.org")) "muc"
  modules_enabled = { "muc_mam" }
  restrict_room_creation = "local"
  muc_room_default_persistent = true
  muc_log_by_default = true
  muc_log_all_rooms = true
  max_archive_query_results = 500
  -- XEP-0045 §7.10: every bot registers its nick in the rooms it joins, so that no other
  -- account can take it while the bot restarts (bots are not room members beforehand).
  allow_unaffiliated_register = true

-- One XEP-0114 component per bot instance (<id>.bots.<domain>): Prosody takes one connection
-- per component domain, and every bot is a process of its own. MESH_BOTS lists the instance
-- ids of config/compose.yaml; a bot added there must be added here too.
local bots = os.getenv("MESH_BOTS") or "spamhaus-drop feodo-tracker blocklist-de-ssh sample roomgraph tagger"
for id in bots:gmatch("%S+") do
  Component (id .. ".bots." .. (os.getenv("MESH_DOMAIN") or "example.org"))
    component_secret = os.getenv("MESH_COMPONENT_SECRET")
end
