// Module hooks for the mutation run only: StrykerJS's TypeScript checker needs TypeScript's JS
// compiler API, which TypeScript 7 (this project's compiler) no longer ships. Its own imports of
// "typescript" get TypeScript 6 (@typescript/typescript6, the same language with the JS API);
// nothing else is redirected.
export async function resolve(specifier, context, next) {
  if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/@stryker-mutator/')) {
    return next('@typescript/typescript6', context);
  }
  return next(specifier, context);
}
