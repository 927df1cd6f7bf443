package dev.weft.internal;

import java.util.Arrays;

/**
 * Task thread names ({@code scopePath/taskName}), kept across scopes with the same path, so that a server opening
 * the same scope request after request builds each name once instead of once per task. Both kinds of task name
 * are kept: automatic ones ({@code task-<number>}, up to {@link #NUMBERS}) and names given at fork (up to
 * {@link #GIVEN} per path, a new name taking the place of one that shares its slot). At most {@link #PATHS}
 * paths are kept; a path is let in when it is asked for twice in a row for its slot, taking the place of the
 * path there, so that paths that occur once do not push out the ones that recur. A name that is not kept is
 * built each time, as it would be without this class.
 */
public final class TaskThreadNames {

    /*
     * Implementation notes.
     *
     * Direct-mapped tables, one of paths and, per path, one of given names: an entry lives in the slot its hash
     * picks, and a new key takes the slot over (the entry it replaces is garbage once no scope holds it). A scope
     * looks its path's entry up once, on first use (ScopeImpl.threadNames). A path enters the table only when
     * it is asked for a second time in a row for its slot (ASKED, a one-entry door per slot): paths that occur
     * once, such as a job's root scope named after the job, would otherwise take over slots without end and
     * push out the paths a server opens again and again. A scope whose path is not let in gets an entry of its
     * own that keeps nothing (its names are built as they would be without this class), so a path that occurs
     * once costs one small object, not the arrays of a kept one. Automatic names are an array indexed
     * by number, grown by copying up to NUMBERS. A given name is kept with its thread name in one immutable
     * Given, so that a reader never pairs one name with another's thread name.
     *
     * Every access is a plain, racy read or write, and every race is benign: what is read is a String or a
     * Given (final fields, safe to publish by a data race) that is right for its key, and an entry's path is
     * final; a lost or stale ASKED only delays or hastens a path's entry into the table. A reader that misses a name, or an array another thread has just grown, builds the name and stores
     * it; a store lost to a concurrent grow or replacement costs one rebuild later. So the tables can hold a name
     * less often than they might, never a wrong one. Arrays start null: an entry reached by a racy read may show
     * any non-final field unset, so readers check.
     *
     * Memory: PATHS entries, each with at most NUMBERS automatic names of about 60 bytes and GIVEN given ones:
     * about 4 MB when every slot holds a path that forked NUMBERS automatically named tasks (plus the given
     * names, which are the application's strings), a few kilobytes for a server's handful of hot paths.
     */

    /** How many paths the table keeps (a power of two). */
    public static final int PATHS = 64;
    /** The highest automatic task number whose thread name a path keeps. */
    public static final int NUMBERS = 1024;
    /** How many given task names a path keeps (a power of two). */
    public static final int GIVEN = 32;
    private static final int FIRST_LENGTH = 16;

    /** The entries, indexed by path hash; plain reads and writes (see notes). */
    private static final TaskThreadNames[] TABLE = new TaskThreadNames[PATHS];
    /** Per slot, the hash of the last path asked for that was not in the table; plain reads and writes. */
    private static final int[] ASKED = new int[PATHS];

    /** A given task name and its thread name. */
    private record Given(String name, String threadName) {
    }

    /** The scope path these names begin with. Immutable. */
    private final String path;
    /** Whether this entry keeps the names it builds: true for an entry in the table. Immutable. */
    private final boolean keeps;
    /** numbered[number - 1] is {@code path/task-<number>}, or null; replaced by a longer copy to grow. */
    private String[] numbered;
    /** Given names and their thread names, indexed by the name's hash, or null. */
    private Given[] given;

    private TaskThreadNames(String path, boolean keeps) {
        this.path = path;
        this.keeps = keeps;
    }

    /**
     * The names of the scope path {@code path}: its entry in the table; or, for a path not in it, a new entry,
     * which takes the path's slot over if the path was the last one asked for there, and else keeps nothing.
     */
    public static TaskThreadNames of(String path) {
        int hash = path.hashCode();
        int slot = slot(hash, PATHS);
        TaskThreadNames entry = TABLE[slot];
        if (entry != null && entry.path.equals(path)) {
            return entry;
        }
        if (ASKED[slot] == hash) {
            TABLE[slot] = entry = new TaskThreadNames(path, true);
            return entry;
        }
        ASKED[slot] = hash;
        return new TaskThreadNames(path, false);
    }

    /** The path table slot of {@code path} (public for tests that need two paths in one slot). */
    public static int slot(String path) {
        return slot(path, PATHS);
    }

    /** The given-name slot of {@code name} (public for tests that need two names in one slot). */
    public static int givenSlot(String name) {
        return slot(name, GIVEN);
    }

    private static int slot(String key, int slots) {
        return slot(key.hashCode(), slots);
    }

    private static int slot(int hash, int slots) {
        return (hash * 0x9E3779B9 >>> 16) & (slots - 1);
    }

    /** {@code path/task-<number>} for a positive {@code number} if kept, else null: never builds. */
    public String keptNumbered(int number) {
        String[] a = numbered;
        int i = number - 1;
        return a != null && i < a.length ? a[i] : null;
    }

    /** {@code path/task-<number>} for a positive {@code number}: kept, or built (and kept if in bounds). */
    public String numbered(int number) {
        String threadName = keptNumbered(number);
        if (threadName != null) {
            return threadName;
        }
        threadName = path + "/task-" + number;
        if (keeps && number <= NUMBERS) {
            String[] a = numbered;
            int i = number - 1;
            if (a == null) {
                numbered = a = new String[Math.min(NUMBERS, Math.max(i + 1, FIRST_LENGTH))];
            } else if (i >= a.length) {
                numbered = a = Arrays.copyOf(a, Math.min(NUMBERS, Math.max(i + 1, a.length * 2)));
            }
            a[i] = threadName;
        }
        return threadName;
    }

    /** {@code path/name} for a task name given at fork if kept, else null: never builds. */
    public String keptGiven(String name) {
        Given[] g = given;
        if (g == null) {
            return null;
        }
        Given e = g[givenSlot(name)];
        return e != null && (e.name == name || e.name.equals(name)) ? e.threadName : null;
    }

    /** {@code path/name} for a task name given at fork: kept, or built and kept. */
    public String given(String name) {
        String threadName = keptGiven(name);
        if (threadName != null) {
            return threadName;
        }
        threadName = path + "/" + name;
        if (!keeps) {
            return threadName;
        }
        Given[] g = given;
        if (g == null) {
            given = g = new Given[GIVEN];
        }
        g[givenSlot(name)] = new Given(name, threadName);
        return threadName;
    }
}
