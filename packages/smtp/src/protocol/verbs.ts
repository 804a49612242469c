/**
 * One small handler per verb, dispatched through a typed table (`VERB_HANDLERS`). The engine has
 * already checked the verb against the state table (state.ts) except for BDAT, whose octets must be
 * read even when the command is refused (RFC 3030 section 2). Handlers validate their argument
 * (501/555), apply the session rules that are not states (AUTH needs EHLO, once per session) and
 * reply. No I/O.
 */
import type { EsmtpParams } from "@mailpen/shared";
import { handleAuth } from "./auth-verb.ts";
import { replies, type SmtpReply } from "./replies.ts";
import { parsePathArgument } from "./rfc5321-path.ts";
import { SASL_MECHANISMS } from "./sasl.ts";
import { describeSequenceError, isVerbAllowed, type SmtpVerb } from "./state.ts";
import type { EngineConfig, VerbContext } from "./verb-context.ts";

export type VerbHandler = (ctx: VerbContext, arg: string) => void;

/** The syntax of each verb, for HELP <verb> and 501 replies. */
export const VERB_SYNTAX = {
  HELO: "HELO <domain>",
  EHLO: "EHLO <domain>",
  MAIL: "MAIL FROM:<reverse-path> [SIZE=<n>] [BODY=7BIT|8BITMIME] [SMTPUTF8] [AUTH=<mailbox>] [RET=FULL|HDRS] [ENVID=<id>]",
  RCPT: "RCPT TO:<forward-path> [NOTIFY=NEVER|SUCCESS,FAILURE,DELAY] [ORCPT=<type>;<address>]",
  DATA: "DATA",
  BDAT: "BDAT <size> [LAST]",
  RSET: "RSET",
  VRFY: "VRFY <address>",
  EXPN: "EXPN <list>",
  HELP: "HELP [<verb>]",
  NOOP: "NOOP [<string>]",
  QUIT: "QUIT",
  AUTH: "AUTH PLAIN|LOGIN|CRAM-MD5 [<initial-response>]",
  STARTTLS: "STARTTLS",
  TURN: "TURN (not supported)",
} as const satisfies Record<SmtpVerb, string>;

function greet(ctx: VerbContext, arg: string, extended: boolean): void {
  const name = arg.trim();
  if (name === "") return ctx.reply(replies.syntaxError(extended ? VERB_SYNTAX.EHLO : VERB_SYNTAX.HELO));
  ctx.resetTransaction();
  ctx.session.heloName = name;
  ctx.session.greeted = true;
  ctx.session.extended = extended;
  ctx.transition("identified");
  if (!extended) return ctx.reply(replies.helo(ctx.config.hostname, name));
  ctx.reply(replies.ehlo(ctx.config.hostname, name, ehloExtensions(ctx.config, ctx.session.tls === null)));
}

/** The EHLO keywords of one engine configuration, without and with STARTTLS, built once per config. */
const extensionsByConfig = new WeakMap<EngineConfig, readonly [readonly string[], readonly string[]]>();

function ehloExtensions(config: EngineConfig, plaintext: boolean): readonly string[] {
  let lists = extensionsByConfig.get(config);
  if (lists === undefined) {
    const base = [
      "PIPELINING",
      `SIZE ${config.maxMessageSize}`,
      "8BITMIME",
      "SMTPUTF8",
      "ENHANCEDSTATUSCODES",
      "CHUNKING",
      `AUTH ${SASL_MECHANISMS.join(" ")}`,
    ];
    lists = [base, [...base, "STARTTLS"]];
    extensionsByConfig.set(config, lists);
  }
  return config.tlsAvailable && plaintext ? lists[1] : lists[0];
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
/** RFC 6531 section 3.4: UTF-8 in a path needs the SMTPUTF8 parameter; accepted anyway, but noted. */
const UTF8_WITHOUT_SMTPUTF8 = "UTF-8 address without SMTPUTF8";

const mailParamRules: Record<string, (value: string | true) => string | null> = {
  // RFC 1870: SIZE=<digits>; checked against the limit by the handler.
  SIZE: (v) => (typeof v === "string" && /^\d{1,20}$/.test(v) ? null : "SIZE=<number>"),
  // RFC 6152
  BODY: (v) => (typeof v === "string" ? null : "BODY=7BIT|8BITMIME"),
  // RFC 6531 section 3.4: a keyword without value.
  SMTPUTF8: (v) => (v === true ? null : "SMTPUTF8 takes no value"),
  // RFC 4954 section 5: AUTH=<xtext mailbox> or AUTH=<>
  AUTH: (v) => (typeof v === "string" ? null : "AUTH=<mailbox>"),
  // RFC 3461 section 4.3 and 4.4
  RET: (v) => (typeof v === "string" && /^(FULL|HDRS)$/i.test(v) ? null : "RET=FULL|HDRS"),
  ENVID: (v) => (typeof v === "string" ? null : "ENVID=<xtext>"),
};

const rcptParamRules: Record<string, (value: string | true) => string | null> = {
  // RFC 3461 section 4.1: NEVER, or a comma list of SUCCESS, FAILURE, DELAY.
  NOTIFY: (v) =>
    typeof v === "string" && /^(NEVER|(SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*)$/i.test(v)
      ? null
      : "NOTIFY=NEVER|SUCCESS,FAILURE,DELAY",
  // RFC 3461 section 4.2: ORCPT=addr-type;xtext
  ORCPT: (v) => (typeof v === "string" && /^[A-Za-z0-9-]+;.+$/.test(v) ? null : "ORCPT=<type>;<address>"),
};

/**
 * The reply for the first parameter that is unknown (555) or malformed (501), in the order given;
 * null when all are acceptable. A for-in loop, not Object.entries: no arrays per command.
 */
function checkParams(
  params: EsmtpParams,
  rules: Record<string, (value: string | true) => string | null>,
): SmtpReply | null {
  for (const key in params) {
    const value = params[key] as string | true;
    const rule = rules[key];
    if (rule === undefined) return replies.unknownParameter(`Unsupported parameter ${key}`);
    const problem = rule(value);
    if (problem !== null) return replies.syntaxError(problem);
  }
  return null;
}

function handleMail(ctx: VerbContext, arg: string): void {
  if (ctx.config.authRequired && ctx.session.authUser === null) return ctx.reply(replies.authRequired());
  const parsed = parsePathArgument(arg, "FROM", true);
  if ("error" in parsed) {
    return ctx.reply(
      parsed.error === "path"
        ? replies.badSenderSyntax(parsed.reason)
        : replies.syntaxError(VERB_SYNTAX.MAIL),
    );
  }
  const paramProblem = checkParams(parsed.params, mailParamRules);
  if (paramProblem !== null) return ctx.reply(paramProblem);
  const body = parsed.params.BODY;
  if (typeof body === "string") {
    const upper = body.toUpperCase();
    if (upper !== "7BIT" && upper !== "8BITMIME") {
      return ctx.reply(replies.unknownParameter(`Unsupported BODY type ${body}`));
    }
  }
  const size = parsed.params.SIZE;
  if (typeof size === "string" && Number(size) > ctx.config.maxMessageSize) {
    return ctx.reply(replies.messageTooBig());
  }
  if (NON_ASCII.test(parsed.address) && parsed.params.SMTPUTF8 !== true) ctx.warn(UTF8_WITHOUT_SMTPUTF8);
  ctx.envelope = { mailFrom: parsed.address, mailParams: parsed.params, rcptTo: [] };
  ctx.transition("mail");
  ctx.reply(replies.senderOk());
}

function handleRcpt(ctx: VerbContext, arg: string): void {
  const envelope = ctx.envelope;
  if (envelope === null) return ctx.reply(replies.badSequence("Need MAIL command"));
  const parsed = parsePathArgument(arg, "TO", false);
  if ("error" in parsed) {
    return ctx.reply(
      parsed.error === "path"
        ? replies.badRecipientSyntax(parsed.reason)
        : replies.syntaxError(VERB_SYNTAX.RCPT),
    );
  }
  const paramProblem = checkParams(parsed.params, rcptParamRules);
  if (paramProblem !== null) return ctx.reply(paramProblem);
  if (envelope.rcptTo.length >= ctx.config.maxRecipients) return ctx.reply(replies.tooManyRecipients());
  if (NON_ASCII.test(parsed.address) && envelope.mailParams.SMTPUTF8 !== true)
    ctx.warn(UTF8_WITHOUT_SMTPUTF8);
  envelope.rcptTo.push({ address: parsed.address, params: parsed.params });
  ctx.transition("rcpt");
  ctx.reply(replies.recipientOk());
}

function handleData(ctx: VerbContext, arg: string): void {
  if (arg.trim() !== "") return ctx.reply(replies.syntaxError(VERB_SYNTAX.DATA));
  ctx.reply(replies.startData());
  ctx.beginData();
}

function handleBdat(ctx: VerbContext, arg: string): void {
  // RFC 3030 section 3: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CR LF
  const match = /^(\d{1,15})(?: +(LAST))? *$/i.exec(arg);
  if (match === null) return ctx.reply(replies.syntaxError(VERB_SYNTAX.BDAT));
  const size = Number(match[1]);
  const last = match[2] !== undefined;
  const reject = isVerbAllowed(ctx.state, "BDAT")
    ? null
    : replies.badSequence(describeSequenceError(ctx.state, "BDAT"));
  ctx.beginBdat(size, last, reject);
}

function handleRset(ctx: VerbContext, arg: string): void {
  if (arg.trim() !== "") return ctx.reply(replies.syntaxError(VERB_SYNTAX.RSET));
  ctx.resetTransaction();
  ctx.reply(replies.ok());
}

function handleVrfy(ctx: VerbContext, arg: string): void {
  const target = arg.trim();
  if (target === "") return ctx.reply(replies.syntaxError(VERB_SYNTAX.VRFY));
  switch (ctx.config.vrfy) {
    case "accept":
      return ctx.reply(replies.vrfyAccepted(target));
    case "reject":
      return ctx.reply(replies.vrfyRejected(target));
    case "cannot-verify":
      return ctx.reply(replies.vrfyCannotVerify());
  }
}

function handleExpn(ctx: VerbContext, arg: string): void {
  if (ctx.config.expn === "disabled") return ctx.reply(replies.notImplemented("EXPN not implemented"));
  const target = arg.trim();
  if (target === "") return ctx.reply(replies.syntaxError(VERB_SYNTAX.EXPN));
  ctx.reply(replies.expnAccepted(target));
}

function handleHelp(ctx: VerbContext, arg: string): void {
  const topic = arg.trim().toUpperCase();
  if (topic === "") {
    return ctx.reply(replies.help(`Supported commands: ${Object.keys(VERB_SYNTAX).join(" ")}`));
  }
  if (Object.hasOwn(VERB_SYNTAX, topic)) return ctx.reply(replies.help(VERB_SYNTAX[topic as SmtpVerb]));
  ctx.reply(replies.parameterNotImplemented(`HELP topic ${topic} unknown`));
}

function handleNoop(ctx: VerbContext): void {
  ctx.reply(replies.ok());
}

function handleQuit(ctx: VerbContext): void {
  ctx.reply(replies.serviceClosing(ctx.config.hostname));
  ctx.close("quit");
}

function handleStartTls(ctx: VerbContext, arg: string): void {
  if (arg.trim() !== "") return ctx.reply(replies.syntaxError(VERB_SYNTAX.STARTTLS));
  if (ctx.session.tls !== null) return ctx.reply(replies.badSequence("TLS already active"));
  if (!ctx.config.tlsAvailable) return ctx.reply(replies.notImplemented("STARTTLS not available"));
  ctx.reply(replies.startTls());
  ctx.beginTls();
}

function handleTurn(ctx: VerbContext): void {
  // RFC 2821 appendix F.1: TURN is obsolete and unsafe.
  ctx.reply(replies.notImplemented("TURN is obsolete and not supported"));
}

/** The dispatch table: one handler per verb. */
export const VERB_HANDLERS = {
  HELO: (ctx, arg) => greet(ctx, arg, false),
  EHLO: (ctx, arg) => greet(ctx, arg, true),
  MAIL: handleMail,
  RCPT: handleRcpt,
  DATA: handleData,
  BDAT: handleBdat,
  RSET: handleRset,
  VRFY: handleVrfy,
  EXPN: handleExpn,
  HELP: handleHelp,
  NOOP: handleNoop,
  QUIT: handleQuit,
  AUTH: handleAuth,
  STARTTLS: handleStartTls,
  TURN: handleTurn,
} as const satisfies Record<SmtpVerb, VerbHandler>;
