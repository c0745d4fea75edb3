/** The hub contract on WeriftHub, the offline default: always runs. */
import { WeriftHub } from '../src/werift-hub.ts';
import { isLoopback } from '../src/rtp-util.ts';
import { hubContract } from './hub.contract.ts';

hubContract('werift', () => WeriftHub.create({ maxViewers: 3, announcedAddresses: ['127.0.0.1'], acceptRemoteAddress: isLoopback }));
