/** Messages of tune. */
export const tune = {
  en: {
    'tune.title': 'TCP sysctl audit',
  },
  zh: {
    'tune.title': 'TCP 内核参数审计',
  },
} as const
