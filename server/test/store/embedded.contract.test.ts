import { describeStoreContract } from '../../src/store/contract.ts';
import { embeddedHarness } from './helpers.ts';

describeStoreContract('embedded', () => embeddedHarness());
