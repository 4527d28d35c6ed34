/**
 * Top-level domains a name pulled out of free text may end in. Not the public suffix list:
 * free text needs a plausibility test, not registrable-domain arithmetic, and a list of every
 * one of the ~1,450 delegated TLDs takes far more words for names (`thanks.love`,
 * `setup.data`) than it finds. So: every delegated country code (IANA root zone), the legacy
 * generic ones, the new generic ones abuse desks actually see (Spamhaus' and Interisle's
 * most-abused lists, brand TLDs of the big platforms), and the reserved `test` and `example`
 * (RFC 2606) that documentation and fixtures use. A name under a TLD missing here is not
 * taken from free text; a template's own regex still reads it, and a URL with a scheme keeps
 * any host with a dot.
 */

const COUNTRY = `ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm
bn bo br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm
do dz ec ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu
gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky
kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx
my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro
rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk
tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt zm zw`;

const GENERIC = `com net org info biz edu gov mil int name pro mobi asia tel travel jobs cat coop
aero museum xxx post arpa onion test example
xyz top shop online site icu cyou buzz sbs cfd bond club live vip work click link rest fun space
website store tech monster quest lol today world life support win bid loan loans download review
men date racing party stream trade science accountant faith cricket gdn app dev page cloud
digital email services solutions network host hosting press news blog media agency company
business center group ltd finance money bank pay capital credit lat mom skin hair beauty makeup
autos boats homes best guru ninja rocks zone team one global plus run wiki land social studio
design art love sex porn adult casino bet poker games game dating xin ren wang kim ink red blue
pink black gold vin wine beer pub bar cafe delivery express direct systems software tools help
chat fit fyi how ngo observer tokyo london nyc berlin paris amsterdam moscow google microsoft
amazon apple zip mov foo meme nexus bot goog youtube gmail windows azure office aws army mobile
phone computer photos country kiwi moe uno vote wtf bio eco energy green earth family care health
clinic doctor insurance tax legal law university college school academy education institute
exchange market markets trading investments fund cash gift deals sale shopping cheap free promo
tips guide reviews events tickets holiday tours hotel rentals house property estate realty farm
cars car auto taxi parts repair cleaning construction engineering industries equipment supply
watch jewelry fashion clothing shoes boutique style luxury furniture kitchen restaurant fitness
golf football bingo lotto cards ovh`;

/** The TLD list, lower case. */
export const TLDS: ReadonlySet<string> = new Set([
  ...COUNTRY.split(/\s+/),
  ...GENERIC.split(/\s+/),
]);

/**
 * TLDs that are also common file extensions (`payload.zip`, `run.sh`, `readme.md`, `x.py`):
 * a two-label name under one of them is taken from free text only when it was written
 * obfuscated (`invoice[.]zip`, which nobody does to a file name) or in a URL.
 */
export const FILE_LIKE: ReadonlySet<string> = new Set([
  "zip",
  "mov",
  "sh",
  "py",
  "pl",
  "md",
  "rs",
  "ps",
  "so",
  "ai",
  "pm",
  "ms",
  "sc",
  "cc",
]);
