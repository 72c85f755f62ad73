/**
 * `dmacheck check` at its defaults on the second share of the designs:
 * their README rows, the exit status, and the explorer agreeing with the
 * search on each (test/check-defaults-suite.ts). See check-defaults.test.ts.
 */
import { checkDefaultsSuite } from './check-defaults-suite.ts';
import { SECOND_SHARE } from './check-defaults-shares.ts';

checkDefaultsSuite(SECOND_SHARE);
