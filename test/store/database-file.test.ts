import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseFile } from '../../src/store/database-file.js';
import { storedWeightsPath, weightsPath } from '../../src/store/weights.js';
import { checkpointPath } from '../../src/sweep/checkpoints.js';
import { tempDir } from '../helpers/config.js';

describe("a database's own folders", () => {
  it('are beside the file a link to it points to, however the database is reached', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'alias'));
    const real = join(dir, 'real', 's.db');
    writeFileSync(real, '');
    const link = join(dir, 'alias', 's.db');
    symlinkSync('../real/s.db', link);
    expect(databaseFile(link)).toBe(databaseFile(real));
    // before: alias/s.db.checkpoints, so a sweep through the link restarted an interrupted trial from step 0
    expect(checkpointPath(link, 'ab')).toBe(join(dir, 'real', 's.db.checkpoints', 'ab.safetensors'));
    expect(weightsPath(link, 'ab')).toBe(join(dir, 'real', 's.db.weights', 'ab.safetensors'));
    expect(storedWeightsPath(link, 'ab')).toBe(weightsPath(real, 'ab'));
  });

  it('are named from the path as given where nothing is there yet', () => {
    const dir = tempDir();
    expect(databaseFile(join(dir, 'new.db'))).toBe(join(dir, 'new.db'));
    symlinkSync(join(dir, 'nowhere.db'), join(dir, 'dangling.db'));
    expect(databaseFile(join(dir, 'dangling.db'))).toBe(join(dir, 'dangling.db'));
  });
});
