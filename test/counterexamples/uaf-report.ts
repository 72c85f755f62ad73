/**
 * The text report of the munmap use-after-free (vma-p2p-map,
 * no-dma-after-free at step 5, counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json)
 * as `dmacheck report` prints it, in parts, for the paste tests to edit.
 */
export const UAF_HEAD = `dmacheck counterexample f522f807c4: the device writes the BAR window
design:    vma-p2p-map
invariant: no-dma-after-free (violated at step 5)
`;

export const UAF_STEPS = `  1. mmap(mm=0, npages=1, backing=bar(bar=0))
  2. p2p_map(vma=1, dev=1, write=true)
  3. device_program(dev=1, mapping=2)
     -> device 1 programmed with mapping 2
  4. munmap(mm=0, start=0, npages=1)
     -> vma 1 destroyed
  5. device_write(mapping=2, index=0)
     -> device 1 wrote pfn 6`;

export const UAF_VIOLATION = `Step 5 violates no-dma-after-free: device 1 wrote pfn 6 through mapping
2, but that memory was freed.`;

/** The whole report: head, steps, the violation sentence. */
export const UAF_TEXT = `${UAF_HEAD}\n${UAF_STEPS}\n\n${UAF_VIOLATION}\n`;
