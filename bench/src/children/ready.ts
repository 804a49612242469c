/**
 * The handshake of every Node child: one JSON line on stdout when listening, and a clean close on
 * SIGTERM/SIGINT (so `--cpu-prof` profiles are written).
 */
export function announceReady(smtpPort: number, httpPort: number | null, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify({ ready: true, smtpPort, httpPort })}\n`);
  const shutdown = (): void => {
    const force = setTimeout(() => process.exit(0), 5_000);
    force.unref();
    close()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
