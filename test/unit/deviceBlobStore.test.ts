import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { deviceBlobStoreContract } from './deviceBlobStore.contract';

deviceBlobStoreContract('memory', async () => new MemoryDeviceBlobStore());
