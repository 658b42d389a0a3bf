import type { IDBPDatabase } from 'idb';
import { parseUserTemplate, type TemplateLibrary, type UserTemplate } from '../store/user-templates';
import type { StudioDB } from './idb-database';

/** The user's templates in IndexedDB, newest first. Unreadable records are skipped, not deleted. */
export function createIdbTemplateStore(db: IDBPDatabase<StudioDB>): TemplateLibrary {
  return {
    async list() {
      const all = await db.getAllFromIndex('templates', 'updatedAt');
      return all
        .map(parseUserTemplate)
        .filter((t): t is UserTemplate => t !== undefined)
        .reverse();
    },
    async get(id) {
      return parseUserTemplate(await db.get('templates', id));
    },
    async put(template) {
      await db.put('templates', template);
    },
    async delete(id) {
      await db.delete('templates', id);
    },
  };
}
