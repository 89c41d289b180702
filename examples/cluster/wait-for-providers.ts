import type { ProviderInfo, ProviderWatch } from "@rpcgen/runtime";

/**
 * Resolves with the watch's list once `accept(list)` holds: checked now, then
 * on every "change". Rejects after `timeoutMs`, naming what was awaited.
 */
export function waitForProviders(
  watch: ProviderWatch,
  accept: (providers: readonly ProviderInfo[]) => boolean,
  description: string,
  timeoutMs = 15_000,
): Promise<readonly ProviderInfo[]> {
  if (accept(watch.providers)) return Promise.resolve(watch.providers);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      watch.off("change", listener);
      const listed = watch.providers.map((p) => p.address).join(", ") || "none";
      reject(
        new Error(
          `the watch of ${watch.service} never showed ${description} within ${timeoutMs} ms; listed: ${listed}`,
        ),
      );
    }, timeoutMs);
    const listener = (providers: readonly ProviderInfo[]): void => {
      if (!accept(providers)) return;
      clearTimeout(timer);
      watch.off("change", listener);
      resolve(providers);
    };
    watch.on("change", listener);
  });
}
