package dev.weft.internal;

import org.junit.jupiter.api.Test;

import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;

class TaskThreadNamesTest {

    @Test
    void aPathKeepsItsNamesAndBuildsEachOnce() {
        TaskThreadNames names = tabled("kept/a");
        String first = names.numbered(3);
        assertThat(first).isEqualTo("kept/a/task-3");
        assertThat(TaskThreadNames.of("kept/a").numbered(3)).isSameAs(first);
    }

    @Test
    void aPathAskedForOnceIsNotKeptAndDoesNotPushOutAKeptOne() {
        String a = "door/a";
        String b = collidingWith(a);
        TaskThreadNames kept = tabled(a);
        TaskThreadNames once = TaskThreadNames.of(b);
        assertThat(once.numbered(1)).isEqualTo(b + "/task-1");
        assertThat(once.keptNumbered(1)).as("an entry outside the table keeps nothing").isNull();
        assertThat(once.given("vendorA")).isEqualTo(b + "/vendorA");
        assertThat(once.keptGiven("vendorA")).isNull();
        assertThat(TaskThreadNames.of(a)).as("still kept").isSameAs(kept);
        assertThat(TaskThreadNames.of(b)).as("b was not let in: a came between its two asks").isNotSameAs(once);
    }

    @Test
    void namesGrowPastTheFirstArrayAndStopAtTheBound() {
        TaskThreadNames names = tabled("grow/b");
        assertThat(names.numbered(1)).isEqualTo("grow/b/task-1");
        String grown = names.numbered(40);
        assertThat(grown).isEqualTo("grow/b/task-40");
        assertThat(names.numbered(40)).isSameAs(grown);
        assertThat(names.numbered(1)).isEqualTo("grow/b/task-1");
        int beyond = TaskThreadNames.NUMBERS + 1;
        String unkept = names.numbered(beyond);
        assertThat(unkept).isEqualTo("grow/b/task-" + beyond);
        assertThat(names.numbered(beyond)).isEqualTo(unkept).isNotSameAs(unkept);
    }

    @Test
    void aPathAskedForTwiceTakesTheSlotOverAndNamesNeverMix() {
        String a = "slot/a";
        String b = collidingWith(a);
        TaskThreadNames first = tabled(a);
        assertThat(first.numbered(1)).isEqualTo("slot/a/task-1");
        TaskThreadNames second = tabled(b);
        assertThat(second).isNotSameAs(first);
        assertThat(second.numbered(1)).isEqualTo(b + "/task-1");
        assertThat(TaskThreadNames.of(a)).as("pushed out").isNotSameAs(first);
        assertThat(TaskThreadNames.of(a).numbered(1)).isEqualTo("slot/a/task-1");
        assertThat(first.numbered(1)).as("an entry a scope still holds stays right").isEqualTo("slot/a/task-1");
    }

    @Test
    void givenNamesAreKeptAndNeverBuiltTwice() {
        TaskThreadNames names = tabled("given/c");
        assertThat(names.keptGiven("vendorA")).isNull();
        String first = names.given("vendorA");
        assertThat(first).isEqualTo("given/c/vendorA");
        assertThat(names.keptGiven("vendorA")).isSameAs(first);
        assertThat(names.keptGiven(new String("vendorA"))).as("an equal name, not the same string").isSameAs(first);
        assertThat(TaskThreadNames.of("given/c").given("vendorA")).isSameAs(first);
        assertThat(names.keptNumbered(1)).as("given and automatic names are apart").isNull();
    }

    @Test
    void givenNamesThatShareASlotReplaceEachOtherAndNeverMix() {
        TaskThreadNames names = TaskThreadNames.of("given/d");
        String a = "vendorA";
        String b = collidingGivenWith(a);
        assertThat(names.given(a)).isEqualTo("given/d/vendorA");
        assertThat(names.given(b)).isEqualTo("given/d/" + b);
        assertThat(names.keptGiven(a)).as("replaced by the name sharing its slot").isNull();
        assertThat(names.given(a)).isEqualTo("given/d/vendorA");
        assertThat(names.keptGiven(b)).isNull();
    }

    @Test
    void theSlotIsWithinTheTable() {
        for (String path : new String[] {"", "a", "checkout/pricing", "\uffff\uffff"}) {
            assertThat(TaskThreadNames.slot(path)).isBetween(0, TaskThreadNames.PATHS - 1);
            assertThat(TaskThreadNames.givenSlot(path)).isBetween(0, TaskThreadNames.GIVEN - 1);
        }
    }

    /** The table's entry for {@code path}: asked for until it is in the table (twice at most). */
    static TaskThreadNames tabled(String path) {
        TaskThreadNames entry = TaskThreadNames.of(path);
        while (TaskThreadNames.of(path) != entry) {
            entry = TaskThreadNames.of(path);
        }
        return entry;
    }

    /** A path other than {@code path} that maps to the same slot. */
    static String collidingWith(String path) {
        return colliding(path, TaskThreadNames::slot, "other-");
    }

    /** A task name other than {@code name} that maps to the same given-name slot. */
    static String collidingGivenWith(String name) {
        return colliding(name, TaskThreadNames::givenSlot, "name-");
    }

    private static String colliding(String key, ToIntFunction<String> slotOf, String prefix) {
        int slot = slotOf.applyAsInt(key);
        for (int i = 0; ; i++) {
            String candidate = prefix + i;
            if (!candidate.equals(key) && slotOf.applyAsInt(candidate) == slot) {
                return candidate;
            }
        }
    }
}
