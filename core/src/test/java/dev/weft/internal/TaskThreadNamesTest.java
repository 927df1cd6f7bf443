package dev.weft.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TaskThreadNamesTest {

    @Test
    void aPathKeepsItsNamesAndBuildsEachOnce() {
        TaskThreadNames names = TaskThreadNames.of("kept/a");
        String first = names.name(3);
        assertThat(first).isEqualTo("kept/a/task-3");
        assertThat(TaskThreadNames.of("kept/a").name(3)).isSameAs(first);
    }

    @Test
    void namesGrowPastTheFirstArrayAndStopAtTheBound() {
        TaskThreadNames names = TaskThreadNames.of("grow/b");
        assertThat(names.name(1)).isEqualTo("grow/b/task-1");
        String grown = names.name(40);
        assertThat(grown).isEqualTo("grow/b/task-40");
        assertThat(names.name(40)).isSameAs(grown);
        assertThat(names.name(1)).isEqualTo("grow/b/task-1");
        int beyond = TaskThreadNames.NUMBERS + 1;
        String unkept = names.name(beyond);
        assertThat(unkept).isEqualTo("grow/b/task-" + beyond);
        assertThat(names.name(beyond)).isEqualTo(unkept).isNotSameAs(unkept);
    }

    @Test
    void pathsThatShareASlotReplaceEachOtherAndNeverMixNames() {
        String a = "slot/a";
        String b = collidingWith(a);
        TaskThreadNames first = TaskThreadNames.of(a);
        assertThat(first.name(1)).isEqualTo("slot/a/task-1");
        TaskThreadNames second = TaskThreadNames.of(b);
        assertThat(second).isNotSameAs(first);
        assertThat(second.name(1)).isEqualTo(b + "/task-1");
        assertThat(TaskThreadNames.of(a).name(1)).isEqualTo("slot/a/task-1");
        assertThat(first.name(1)).as("an entry a scope still holds stays right").isEqualTo("slot/a/task-1");
    }

    @Test
    void theSlotIsWithinTheTable() {
        for (String path : new String[] {"", "a", "checkout/pricing", "\uffff\uffff"}) {
            assertThat(TaskThreadNames.slot(path)).isBetween(0, TaskThreadNames.PATHS - 1);
        }
    }

    /** A path other than {@code path} that maps to the same slot. */
    static String collidingWith(String path) {
        int slot = TaskThreadNames.slot(path);
        for (int i = 0; ; i++) {
            String candidate = "other-" + i;
            if (TaskThreadNames.slot(candidate) == slot) {
                return candidate;
            }
        }
    }
}
