/**
 * Node module hooks for kernel_check.ts: inside test/kernels/, `import ... from 'vitest'` resolves to the page's
 * small runner (src/web/check/vitest_shim.ts), as the page's bundler does (src/web/vite/kernel_suite.ts). So the
 * kernel suite runs unchanged where vitest is not installed: the GPU machine gets a node_modules without it.
 */
const SHIM = new URL('../../src/web/check/vitest_shim.js', import.meta.url).href;

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'vitest' && context.parentURL?.includes('/test/kernels/')) return { url: SHIM, shortCircuit: true };
  return next(specifier, context);
}
