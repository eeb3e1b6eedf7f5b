import { MemoryHubBlobStorage } from '../../server/storage/memoryHubBlobStorage';
import { hubBlobStorageContract } from './hubBlobStorage.contract';

hubBlobStorageContract('memory', async (now) => new MemoryHubBlobStorage(now));
