/**
 * AUTH (RFC 4954): the command and its SASL continuation lines. Rules: only after EHLO (503), once per
 * session (503), not inside a transaction (state table), an unknown mechanism 504, `*` cancels with
 * 501, bad base64 501. No I/O.
 */
import { replies } from "./replies.ts";
import {
  createCramMd5Verifier,
  decodeSaslResponse,
  formatCramMd5Challenge,
  parseCramMd5Response,
  parsePlainResponse,
  SASL_MECHANISMS,
  type SaslMechanism,
} from "./sasl.ts";
import type { VerbContext } from "./verb-context.ts";

const USERNAME_PROMPT = Buffer.from("Username:").toString("base64");
const PASSWORD_PROMPT = Buffer.from("Password:").toString("base64");

/** `AUTH <mechanism> [initial-response]`. */
export function handleAuth(ctx: VerbContext, arg: string): void {
  if (!ctx.session.extended) return ctx.reply(replies.badSequence("Send EHLO first"));
  if (ctx.session.authUser !== null) return ctx.reply(replies.badSequence("Already authenticated"));
  const words = arg.trim().split(/ +/);
  const mechanism = (words[0] ?? "").toUpperCase();
  if (mechanism === "" || words.length > 2)
    return ctx.reply(replies.syntaxError("AUTH <mechanism> [<initial-response>]"));
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
    return ctx.reply(replies.authMechanismUnknown());
  const initial = words[1];

  switch (mechanism as SaslMechanism) {
    case "PLAIN":
      if (initial === undefined) {
        ctx.sasl = { mechanism: "PLAIN" };
        ctx.transition("sasl");
        return ctx.reply(replies.authChallenge(""));
      }
      return respondPlain(ctx, initial);
    case "LOGIN":
      ctx.sasl = { mechanism: "LOGIN", username: null };
      ctx.transition("sasl");
      if (initial === undefined) return ctx.reply(replies.authChallenge(USERNAME_PROMPT));
      return handleSaslLine(ctx, initial);
    case "CRAM-MD5": {
      // RFC 2195 is server-first: an initial response is a protocol error.
      if (initial !== undefined) return ctx.reply(replies.syntaxError("AUTH CRAM-MD5 (no initial response)"));
      const challenge = formatCramMd5Challenge(ctx.config.newId(), ctx.config.clock(), ctx.config.hostname);
      ctx.sasl = { mechanism: "CRAM-MD5", challenge };
      ctx.transition("sasl");
      return ctx.reply(replies.authChallenge(Buffer.from(challenge).toString("base64")));
    }
  }
}

/** One SASL continuation line (after a 334). */
export function handleSaslLine(ctx: VerbContext, line: string): void {
  const sasl = ctx.sasl;
  if (sasl === null) throw new Error("SASL line without an exchange");
  const text = line.trim();
  if (text === "*") return abort(ctx, replies.authCancelled());
  switch (sasl.mechanism) {
    case "PLAIN":
      return respondPlain(ctx, text);
    case "LOGIN": {
      const decoded = decodeSaslResponse(text);
      if (decoded === null) return abort(ctx, replies.authBadBase64());
      if (sasl.username === null) {
        sasl.username = decoded.toString("utf8");
        if (ctx.state !== "sasl") ctx.transition("sasl");
        return ctx.reply(replies.authChallenge(PASSWORD_PROMPT));
      }
      const username = sasl.username;
      ctx.sasl = null;
      return ctx.finishAuth("LOGIN", { mechanism: "LOGIN", username, password: decoded.toString("utf8") });
    }
    case "CRAM-MD5": {
      const decoded = decodeSaslResponse(text);
      if (decoded === null) return abort(ctx, replies.authBadBase64());
      const parsed = parseCramMd5Response(decoded);
      if (parsed === null) return abort(ctx, replies.syntaxError("<username> <hex digest>, base64-encoded"));
      ctx.sasl = null;
      return ctx.finishAuth("CRAM-MD5", {
        mechanism: "CRAM-MD5",
        username: parsed.username,
        verifyCramMd5: createCramMd5Verifier(sasl.challenge, parsed.digest),
      });
    }
  }
}

function respondPlain(ctx: VerbContext, text: string): void {
  const decoded = decodeSaslResponse(text);
  if (decoded === null) return abort(ctx, replies.authBadBase64());
  const parsed = parsePlainResponse(decoded);
  if (parsed === null) return abort(ctx, replies.syntaxError("base64(<authzid> NUL <user> NUL <password>)"));
  ctx.sasl = null;
  ctx.finishAuth("PLAIN", { mechanism: "PLAIN", username: parsed.username, password: parsed.password });
}

function abort(ctx: VerbContext, reply: ReturnType<typeof replies.authCancelled>): void {
  ctx.sasl = null;
  if (ctx.state === "sasl") ctx.transition("identified");
  ctx.reply(reply);
}
