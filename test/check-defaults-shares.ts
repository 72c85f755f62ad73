/** How test/check-defaults.test.ts and test/check-defaults-more.test.ts share the designs between vitest's two workers: each about half of npm run check's time. */
export const FIRST_SHARE: ReadonlyArray<string> = [
  'gup-set-page-dirty',
  'gup-dontfork',
  'pin-user-pages',
  'p2pdma-page-sgl',
  'vma-p2p-map',
  'vma-p2p-map-notifier',
  'vma-p2p-map-notifier-readonly',
  'vma-p2p-map-notifier-record-unlocked',
  'vma-p2p-map-notifier-nostop',
  'vma-p2p-map-notifier-program-unlocked',
  'hmm-mirror-skip-harmless',
  'foll-pci-p2pdma',
  'p2pdma-soft-rdma-unguarded',
  'vmsplice-leak',
  'vmsplice-5.8',
  'vmsplice',
];

export const SECOND_SHARE: ReadonlyArray<string> = [
  'pin-user-pages-5.9',
  'vma-p2p-map-notifier-hmm-literal',
  'vma-p2p-map-notifier-noretry',
  'vma-p2p-map-notifier-whole-vma',
  'hmm-mirror',
  'hmm-mirror-noretry',
  'foll-pci-p2pdma-integrity',
  'foll-pci-p2pdma-bounce',
  'p2pdma-soft-rdma',
  'dma-only-sgl',
  'dma-api-misuse',
];
