/**
 * A CommonJS package loaded on its first use instead of at init (the Stripe SDK, the address formatter, the
 * font engine, nodemailer's MIME builder). `load` is the literal `require(...)` call, so esbuild still sees
 * the package: external and shipped beside the bundle for the functions whose needs say so
 * (lib/constructs/service-function.ts besidePackagesFor), inside the bundle otherwise. In the bundles
 * `require` is the banner's createRequire, so the load is synchronous; under tsx and jest it is the package.
 * A package's own `default` export (ESM interop) is what is returned when it has one.
 */
export function onFirstUse<T>(load: () => unknown): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      const module = load() as { default?: unknown } | undefined;
      loaded = (module?.default ?? module) as T;
    }
    return loaded;
  };
}
