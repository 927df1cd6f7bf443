package dev.weft.internal;

import java.util.Arrays;

/**
 * The thread names of automatically named tasks ({@code scopePath/task-<number>}), kept across scopes with the
 * same path, so that a server opening the same scope request after request builds each name once instead of
 * once per task. Bounded: at most {@link #PATHS} paths and, per path, the names of task numbers up to
 * {@link #NUMBERS}; a name outside the bounds is built each time, as it would be without this class.
 */
public final class TaskThreadNames {

    /*
     * Implementation notes.
     *
     * A direct-mapped table: a path's entry lives in the slot its hash picks, and a new path takes the slot over
     * (the entry it replaces is garbage once no scope holds it). A scope looks its entry up once, on first use
     * (ScopeImpl.threadNames), so a task pays an array load when its name is there and the usual string when
     * it is not.
     *
     * Every access is a plain, racy read or write, and every race is benign: a name is a String (final fields,
     * safe to publish by a data race) equal to what any thread would build, and an entry's path is final. A
     * reader that misses a name, or an array another thread has just grown, builds the name and stores it; a
     * store lost to a concurrent grow costs one rebuild later. So the table can hold a name slightly less often
     * than it might, never a wrong one.
     *
     * Memory: PATHS entries, each with at most NUMBERS names of about 60 bytes: about 4 MB when every slot holds
     * a path that forked NUMBERS automatically named tasks, a few kilobytes for a server's handful of hot paths.
     */

    /** How many paths the table remembers (a power of two). */
    public static final int PATHS = 64;
    /** The highest task number whose name a path remembers. */
    public static final int NUMBERS = 1024;
    private static final int FIRST_LENGTH = 16;

    /** The entries, indexed by path hash; plain reads and writes (see notes). */
    private static final TaskThreadNames[] TABLE = new TaskThreadNames[PATHS];

    /** The scope path these names begin with. Immutable. */
    private final String path;
    /**
     * names[number - 1] is {@code path/task-<number>}, or null until built; replaced by a longer copy to grow.
     * Null until the first name is stored: an entry reached by a racy read may show any non-final field unset.
     */
    private String[] names;

    private TaskThreadNames(String path) {
        this.path = path;
    }

    /** The names of the scope path {@code path}: its entry in the table, taking over the slot if needed. */
    public static TaskThreadNames of(String path) {
        int slot = slot(path);
        TaskThreadNames entry = TABLE[slot];
        if (entry == null || !entry.path.equals(path)) {
            TABLE[slot] = entry = new TaskThreadNames(path);
        }
        return entry;
    }

    /** The table slot of {@code path} (public for tests that need two paths in one slot). */
    public static int slot(String path) {
        return (path.hashCode() * 0x9E3779B9 >>> 16) & (PATHS - 1);
    }

    /** {@code path/task-<number>} for a positive {@code number} if remembered, else null: never builds. */
    public String kept(int number) {
        String[] a = names;
        int i = number - 1;
        return a != null && i < a.length ? a[i] : null;
    }

    /** {@code path/task-<number>} for a positive {@code number}: remembered, or built (and remembered if in bounds). */
    public String name(int number) {
        String name = kept(number);
        if (name != null) {
            return name;
        }
        String[] a = names;
        int i = number - 1;
        name = path + "/task-" + number;
        if (number <= NUMBERS) {
            if (a == null) {
                names = a = new String[Math.min(NUMBERS, Math.max(i + 1, FIRST_LENGTH))];
            } else if (i >= a.length) {
                names = a = Arrays.copyOf(a, Math.min(NUMBERS, Math.max(i + 1, a.length * 2)));
            }
            a[i] = name;
        }
        return name;
    }
}
