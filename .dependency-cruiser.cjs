/**
 * Import direction (STYLE.md 1), enforced by `npm run lint:deps` inside `npm test`:
 *   cli -> features -> kernel -> native; model, errors, i18n, debug are leaves anyone may import;
 *   nothing imports cli. Type-only imports count too, except that cli may name kernel types.
 */
const FEATURES = '^src/(sockets|who|counters|track|keepalive|snapshot|doctor|knowledge|tune|lab|packets|capture|probe|monitor|net|query)/'
module.exports = {
  forbidden: [
    { name: 'nothing-imports-cli', severity: 'error', from: { pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    {
      name: 'cli-calls-features-not-the-kernel',
      comment: 'The CLI parses, calls one feature, renders: it never reads the kernel itself.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/kernel/', dependencyTypesNot: ['type-only'] },
    },
    { name: 'kernel-imports-no-feature', severity: 'error', from: { path: '^src/kernel/' }, to: { path: [FEATURES, '^src/cli/'] } },
    {
      name: 'leaves-stay-leaves',
      comment: 'model, errors, i18n and debug import nothing of ours but each other.',
      severity: 'error',
      from: { path: '^src/(model/|errors\\.ts|debug\\.ts|i18n/)' },
      to: { path: '^src/', pathNot: '^src/(model/|errors\\.ts|debug\\.ts|i18n/)' },
    },
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|\\.test-helper\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
