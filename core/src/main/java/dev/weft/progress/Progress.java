package dev.weft.progress;

import dev.weft.time.TimeSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import static dev.weft.progress.PackedCounts.FROZEN;
import static dev.weft.progress.PackedCounts.MAX_UNITS;
import static dev.weft.progress.PackedCounts.done;
import static dev.weft.progress.PackedCounts.isFrozen;
import static dev.weft.progress.PackedCounts.pack;
import static dev.weft.progress.PackedCounts.total;

/**
 * A node in a tree of progress: units of work done out of a total, an optional step name and message, and
 * children whose progress rolls up into this node's {@linkplain #fraction() fraction}.
 *
 * <p><b>Roll-up.</b> Each child counts as {@code weight} units of its parent's work (1.0 by default). With
 * the node's own {@code done} and {@code total} and children {@code i} of weight {@code w_i} and fraction
 * {@code f_i}:
 * <pre>
 *   fraction = (done + sum(w_i * f_i)) / (total + sum(w_i))  (0.0 when the divisor is 0)
 * </pre>
 * The fraction is the work done. A child counts from the moment {@link #newChild} returns (at 0%). When the
 * node's own units are all done and every child is complete the fraction is exactly 1.0. The fraction is not
 * monotonic: {@link #addTotal}, {@link #setTotal} and new children enlarge the divisor, so it drops when work is
 * discovered. {@code done} never decreases.
 *
 * <p><b>Ending.</b> A node ends once: {@link #complete()} says all its work was done (state
 * {@link ProgressState#SUCCEEDED SUCCEEDED}, fraction exactly 1.0, {@code complete} true), {@link #end(ProgressState)}
 * says it ended otherwise (failed, cancelled, timed out: the fraction stays the work done when it ended, and
 * {@code complete} is false). Only the first of these calls has an effect. Ending freezes the node: its counts
 * and fraction no longer change, and updates of them (and of step and message) that start after the call
 * returned are ignored. An ended child is folded into its parent: it keeps counting there as {@code w * f} out of
 * {@code w}, with the fraction it ended with, and the parent no longer holds it (it leaves {@link #children()}),
 * so a long-lived parent of many short-lived children holds only the children that are still running.
 *
 * <p><b>Counts.</b> {@code done} and {@code total} change together, atomically: every snapshot has
 * {@code done <= total}, and of two snapshots of a node where the first happens-before the second, the second's
 * {@code done} is at least the first's. Advancing past the total raises the total to {@code done} (the node
 * then knows of no more work until some is added). Counts saturate at {@link #MAX_UNITS}.
 *
 * <p><b>Cost and memory effects.</b> {@link #advance}, {@link #addTotal} and {@link #setTotal} take no lock and
 * allocate nothing per call: each is one CAS on one word of the node (repeated if another update won). Actions of
 * a thread before an update happen-before the actions of a thread after a snapshot that sees that update. A
 * snapshot reads each node of the subtree atomically, but not the whole subtree at one instant. Creating or
 * folding a child copies the parent's array of running children.
 *
 * <p><b>Listeners.</b> See {@link #subscribe(Duration, Consumer)}.
 *
 * <pre>{@code
 * Progress job = Progress.root("import");
 * Progress read = job.newChild("read", 3.0);    // reading is three times the work of parsing
 * Progress parse = job.newChild("parse");
 * read.setTotal(files.size());
 * for (var f : files) { load(f); read.advance(); }
 * read.complete();                               // job.fraction() == 0.75
 * }</pre>
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class Progress {

    /*
     * Implementation notes.
     *
     * Counts: the node's own done and total and the FROZEN flag live in one long, `counts` (layout in
     * PackedCounts), so that a single CAS changes them together and a single volatile read sees them together.
     * Invariant of every value ever stored: done <= total <= MAX_UNITS. An update reads the word, computes the next
     * one and CASes; it gives up once FROZEN is set. Lock-free: a CAS fails only because another update succeeded.
     *
     * Ending is decided by one CAS of `ending` from null (the first end() or complete() wins; the Ending holds
     * the state). Then the word is frozen: the winner sets FROZEN, and so does any reader that finds `ending` set
     * and the word not yet frozen, before it reads the counts (it helps rather than waits). Invariant: a reader
     * that sees `ending` set reports frozen counts, so every snapshot that reports the node ended reports the same
     * counts. An update racing with end() may land before the freeze (it counts) or not (it is dropped).
     *
     * Fraction of an ended node: 1.0 for SUCCEEDED. Otherwise the winner computes the roll-up once, from the frozen
     * counts and the children as they are, and publishes it by replacing `ending` with an Ending that carries it
     * (only the winner writes `ending` after its CAS). Until then readers compute the same roll-up themselves.
     *
     * Children: `children` is an immutable ChildNodes (the running children and the sums that ended children
     * left behind) replaced by CAS, so that a child leaves the array and enters the sums in one step: a reader
     * sees it in exactly one of the two. The winner of a child's ending folds it (w * f into `work`, w into
     * `weight`) after publishing its fraction, so the value folded is the value the child reports from then on.
     * Exactly 1.0: the roll-up adds the folded sums first and the running children in array order, to the
     * numerator (w * f) and to the divisor (w) alike; with every f == 1.0 and done == total both sums are the same
     * additions of the same numbers, so they are equal and their quotient is exactly 1.0.
     *
     * Roll-up is computed on demand by the reader (snapshot, fraction), walking the running subtree: updates touch
     * one word of one node and never their ancestors. Subscriptions are a copy-on-write array replaced by CAS.
     *
     * Rate: the latest RateEstimate is an immutable object replaced by CAS on a snapshot; a snapshot reads it
     * before reading the clock and the counts, so a CAS that succeeds extends the sample it read with counts that
     * are no older than that sample.
     */

    /** The largest done or total of one node: 2^31 - 1. Counts larger than this are held at this value. */
    public static final long MAX_UNITS = PackedCounts.MAX_UNITS;
    private static final ListenerDelivery[] NO_SUBSCRIPTIONS = {};
    private static final Ending SUCCEEDED = new Ending(ProgressState.SUCCEEDED, 1.0);

    private final String name;
    private final double weight;
    private final TimeSource time;
    /** The node this one folds into when it ends; null for a root. */
    private final Progress parent;

    /** done, total and FROZEN; written by CAS from any thread, read by anyone. */
    private volatile long counts;
    /** null while running; set once by CAS (the winner of end), then replaced once by the winner only. */
    private volatile Ending ending;
    /** Written (volatile) by any updater, read by snapshots. */
    private volatile String step;
    /** Written (volatile) by any updater, read by snapshots. */
    private volatile String message;
    /** Immutable; replaced by CAS in newChild and when a child ends. */
    private volatile ChildNodes children = ChildNodes.NONE;
    /** Copy-on-write; replaced by CAS in subscribe and when a delivery thread ends. */
    private volatile ListenerDelivery[] subscriptions = NO_SUBSCRIPTIONS;
    /** Replaced by CAS in snapshot. */
    private volatile RateEstimate rateEstimate;

    // VarHandle mechanics
    private static final VarHandle COUNTS;
    private static final VarHandle ENDING;
    private static final VarHandle CHILDREN;
    private static final VarHandle SUBSCRIPTIONS;
    private static final VarHandle RATE_ESTIMATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNTS = l.findVarHandle(Progress.class, "counts", long.class);
            ENDING = l.findVarHandle(Progress.class, "ending", Ending.class);
            CHILDREN = l.findVarHandle(Progress.class, "children", ChildNodes.class);
            SUBSCRIPTIONS = l.findVarHandle(Progress.class, "subscriptions", ListenerDelivery[].class);
            RATE_ESTIMATE = l.findVarHandle(Progress.class, "rateEstimate", RateEstimate.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How a node ended, and its fraction from then on (NaN until the winner has computed it). */
    private record Ending(ProgressState state, double fraction) {
    }

    /** The running children, and what the ended ones left in the roll-up. Immutable. */
    private record ChildNodes(Progress[] running, double work, double weight) {
        static final ChildNodes NONE = new ChildNodes(new Progress[0], 0.0, 0.0);

        ChildNodes with(Progress child) {
            Progress[] next = Arrays.copyOf(running, running.length + 1);
            next[running.length] = child;
            return new ChildNodes(next, work, weight);
        }

        /** Without {@code child}, whose share is folded in; null if it is not running here. */
        ChildNodes folding(Progress child, double fraction) {
            for (int i = 0; i < running.length; i++) {
                if (running[i] == child) {
                    Progress[] next = new Progress[running.length - 1];
                    System.arraycopy(running, 0, next, 0, i);
                    System.arraycopy(running, i + 1, next, i, next.length - i);
                    return new ChildNodes(next, work + child.weight * fraction, weight + child.weight);
                }
            }
            return null;
        }
    }

    private Progress(String name, double weight, TimeSource time, Progress parent) {
        this.name = name;
        this.weight = weight;
        this.time = time;
        this.parent = parent;
        this.rateEstimate = RateEstimate.start(time.nanoTime());
    }

    /**
     * A root node on the system clock.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public static Progress root(String name) {
        return root(name, TimeSource.system());
    }

    /**
     * A root node whose rates, ETAs, snapshot times and listener intervals use {@code time}.
     *
     * @throws NullPointerException if {@code name} or {@code time} is null
     */
    public static Progress root(String name, TimeSource time) {
        requireName(name);
        Objects.requireNonNull(time, "time is null; pass TimeSource.system() for the real clock");
        return new Progress(name, 1.0, time, null);
    }

    /** A child of weight 1.0; see {@link #newChild(String, double)}. */
    public Progress newChild(String name) {
        return newChild(name, 1.0);
    }

    /**
     * A new child, counted in this node's fraction (at 0%) from the moment this method returns, as
     * {@code weight} units of this node's work. It shares this node's time source. When it ends it is folded
     * into this node (see the class comment). Adding a child to an ended node is allowed and does not change that
     * node's fraction.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code weight} is not a positive finite number
     */
    public Progress newChild(String name, double weight) {
        requireName(name);
        if (!(weight > 0.0 && weight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("weight of child '" + name + "' was " + weight
                    + "; a weight must be a positive finite number (default 1.0)");
        }
        Progress child = new Progress(name, weight, time, this);
        ChildNodes current;
        do {
            current = children;
        } while (!CHILDREN.compareAndSet(this, current, current.with(child)));
        return child;
    }

    /** This node's name. */
    public String name() {
        return name;
    }

    /** The weight this node has in its parent's roll-up (1.0 for a root). */
    public double weight() {
        return weight;
    }

    /** Adds one unit done; see {@link #advance(long)}. */
    public void advance() {
        advance(1);
    }

    /**
     * Adds {@code units} to done, raising total with it if done would pass it. Lock-free and allocation-free.
     * Ignored once the node has ended.
     *
     * @throws IllegalArgumentException if {@code units} is negative (done never decreases); counts unchanged
     */
    public void advance(long units) {
        if (units <= 0) {
            if (units < 0) {
                throw negativeAdvance(units);
            }
            return;
        }
        addDone(Math.min(units, MAX_UNITS));
    }

    /** Kept out of advance so that advance stays small enough to inline. */
    private IllegalArgumentException negativeAdvance(long units) {
        return new IllegalArgumentException("advance(" + units + ") on '" + name
                + "': units must be zero or positive; done never decreases");
    }

    /**
     * Raises total by {@code units}: work discovered on the way. The fraction drops accordingly. Ignored once
     * the node has ended.
     *
     * @throws IllegalArgumentException if {@code units} is negative; counts unchanged
     */
    public void addTotal(long units) {
        if (units < 0) {
            throw new IllegalArgumentException("addTotal(" + units + ") on '" + name
                    + "': units must be zero or positive; use setTotal to lower the total");
        }
        addToTotal(units);
    }

    /**
     * Sets total. Ignored once the node has ended.
     *
     * @throws IllegalArgumentException if {@code total} is below the current done or above {@link #MAX_UNITS};
     *                                  counts unchanged
     */
    public void setTotal(long total) {
        if (total < 0 || total > MAX_UNITS) {
            throw new IllegalArgumentException("setTotal(" + total + ") on '" + name
                    + "': total must be between done and " + MAX_UNITS);
        }
        long done = replaceTotal(total);
        if (done >= 0) {
            throw new IllegalArgumentException("setTotal(" + total + ") on '" + name + "': total must be at least"
                    + " done (" + done + "); use addTotal to grow a total while others advance");
        }
    }

    /** Sets the name of the current step; {@code null} clears it. Ignored once the node has ended. */
    public void step(String step) {
        if (ending == null) {
            this.step = step;
        }
    }

    /** Sets a free-form message; {@code null} clears it. Ignored once the node has ended. */
    public void message(String message) {
        if (ending == null) {
            this.message = message;
        }
    }

    /**
     * Ends the node with all its work done: state {@link ProgressState#SUCCEEDED}, complete, fraction exactly 1.0
     * from now on, counts frozen. Same as {@code end(ProgressState.SUCCEEDED)}; see {@link #end(ProgressState)}.
     */
    public void complete() {
        end(ProgressState.SUCCEEDED);
    }

    /**
     * Ends the node in {@code state}. Only the first call of {@code end} or {@link #complete()} has an effect; when
     * any call returns, the node has ended (perhaps in another call's state) and its counts are final.
     * <ul>
     *   <li>{@code SUCCEEDED}: all the work was done; the node is complete and its fraction is exactly 1.0.</li>
     *   <li>{@code FAILED}, {@code CANCELLED}, {@code TIMED_OUT}: the fraction stays the work done (its roll-up
     *       when it ended) and the node is not complete.</li>
     * </ul>
     * A child is then folded into its parent with that fraction and released by it. Each open subscription
     * receives the final snapshot exactly once, promptly (not held back by its interval), and its delivery thread
     * ends. Running children are not ended. A scope ends its node this way when it closes, in the scope's state.
     *
     * @throws NullPointerException     if {@code state} is null
     * @throws IllegalArgumentException if {@code state} is {@link ProgressState#RUNNING}
     */
    public void end(ProgressState state) {
        Objects.requireNonNull(state, "state is null; pass how the work ended (SUCCEEDED, FAILED, CANCELLED, TIMED_OUT)");
        if (state == ProgressState.RUNNING) {
            throw new IllegalArgumentException("end(RUNNING) on '" + name
                    + "': a node ends SUCCEEDED, FAILED, CANCELLED or TIMED_OUT");
        }
        Ending first = state == ProgressState.SUCCEEDED ? SUCCEEDED : new Ending(state, Double.NaN);
        if (!ENDING.compareAndSet(this, (Ending) null, first)) {
            frozenCounts(); // another call won: make sure the counts are final when this one returns
            return;
        }
        long last = frozenCounts();
        double fraction = first.fraction();
        if (Double.isNaN(fraction)) {
            fraction = rollUp(last);
            ending = new Ending(state, fraction);
        }
        for (ListenerDelivery subscription : subscriptions) {
            subscription.wake();
        }
        if (parent != null) {
            parent.fold(this, fraction);
        }
    }

    /** How the node stands: {@code RUNNING}, or how it ended. */
    public ProgressState state() {
        Ending e = ending;
        return e == null ? ProgressState.RUNNING : e.state();
    }

    /** Whether the node ended with all its work done ({@link #complete()}, or {@code end(SUCCEEDED)}). */
    public boolean isComplete() {
        return ending == SUCCEEDED;
    }

    /** The rolled-up fraction in {@code [0, 1]}, as in a {@link #snapshot()} but without sampling the rate. */
    public double fraction() {
        Ending e = ending;
        return e == null ? rollUp((long) COUNTS.getVolatile(this)) : fractionOf(e);
    }

    /**
     * The node's state now, with the rolled-up fraction and the rate and ETA estimates. Taking a snapshot at
     * least 100 ms after the previous sample updates the smoothed rate (listeners' deliveries take snapshots).
     */
    public ProgressSnapshot snapshot() {
        RateEstimate estimate = rateEstimate;
        long now = time.nanoTime();
        Ending e = ending;
        long current = e == null ? (long) COUNTS.getVolatile(this) : frozenCounts();
        double fraction = e == null ? rollUp(current) : fractionOf(e);
        if (estimate.due(now)) {
            RateEstimate next = estimate.next(now, done(current), fraction);
            estimate = RATE_ESTIMATE.compareAndSet(this, estimate, next) ? next : rateEstimate;
        }
        ProgressState state = e == null ? ProgressState.RUNNING : e.state();
        return new ProgressSnapshot(name, done(current), total(current), fraction, step, message,
                estimate.rate(), estimate.eta(fraction, state), state == ProgressState.SUCCEEDED, state,
                time.instant());
    }

    /**
     * Calls {@code listener} with this node's snapshots on a virtual thread of its own: first at once with the
     * current snapshot, then at most once per {@code minInterval} when the snapshot has changed, and always
     * with the final snapshot (exactly once, as soon as the node ends; on an ended node, only that).
     * <ul>
     *   <li>The listener is never called concurrently with itself; successive calls happen-before each other.</li>
     *   <li>An exception thrown by the listener is logged (slf4j, logger {@code dev.weft.progress.Progress},
     *       WARN) and delivery goes on; it never reaches the threads that update the node.</li>
     *   <li>The delivery thread ends after the final snapshot, or when the subscription is closed.</li>
     * </ul>
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code minInterval} is zero or negative
     */
    public Subscription subscribe(Duration minInterval, Consumer<? super ProgressSnapshot> listener) {
        Objects.requireNonNull(minInterval, "minInterval is null; pass a positive duration");
        Objects.requireNonNull(listener, "listener is null");
        if (minInterval.isNegative() || minInterval.isZero()) {
            throw new IllegalArgumentException("minInterval was " + minInterval + "; it must be positive");
        }
        long nanos = minInterval.compareTo(Duration.ofDays(365)) > 0
                ? Duration.ofDays(365).toNanos() : minInterval.toNanos();
        ListenerDelivery delivery = new ListenerDelivery(this, time, nanos, listener);
        ListenerDelivery[] current;
        ListenerDelivery[] next;
        do {
            current = subscriptions;
            next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = delivery;
        } while (!SUBSCRIPTIONS.compareAndSet(this, current, next));
        delivery.start(); // after registering: either end() sees it, or its first snapshot sees the ending
        return delivery;
    }

    /**
     * The children that have not ended, in creation order (an immutable copy). An ended child is no longer held
     * here: it is folded into this node's fraction.
     */
    public List<Progress> children() {
        return List.of(children.running());
    }

    @Override
    public String toString() {
        Ending e = ending;
        long current = e == null ? (long) COUNTS.getVolatile(this) : frozenCounts();
        return "Progress[" + name + " " + done(current) + "/" + total(current)
                + (e == null ? "]" : " " + e.state() + "]");
    }

    /** Forgets a subscription whose delivery thread has ended. */
    void remove(ListenerDelivery delivery) {
        ListenerDelivery[] current;
        ListenerDelivery[] next;
        do {
            current = subscriptions;
            int i = Arrays.asList(current).indexOf(delivery);
            if (i < 0) {
                return;
            }
            next = new ListenerDelivery[current.length - 1];
            System.arraycopy(current, 0, next, 0, i);
            System.arraycopy(current, i + 1, next, i, next.length - i);
        } while (!SUBSCRIPTIONS.compareAndSet(this, current, next));
    }

    /** The number of open subscriptions (for tests). */
    int subscriptionCount() {
        return subscriptions.length;
    }

    // ---- counts ----

    /** Adds {@code units} (1 to MAX_UNITS) to done, raising total if done passes it. Ignored once frozen. */
    private void addDone(long units) {
        long current;
        long next;
        do {
            current = (long) COUNTS.getVolatile(this);
            if (isFrozen(current)) {
                return;
            }
            if (done(current) + units <= total(current)) {
                next = current + units; // within the total: no carry out of done's bits
            } else {
                long done = Math.min(MAX_UNITS, done(current) + units);
                next = pack(done, Math.max(done, total(current))); // past the total: raises it
            }
        } while (!COUNTS.compareAndSet(this, current, next));
    }

    /** Raises total by {@code units} (0 or more). Ignored once frozen. */
    private void addToTotal(long units) {
        long current;
        long next;
        do {
            current = (long) COUNTS.getVolatile(this);
            if (isFrozen(current) || units == 0) {
                return;
            }
            next = pack(done(current), Math.min(MAX_UNITS, total(current) + Math.min(units, MAX_UNITS)));
        } while (!COUNTS.compareAndSet(this, current, next));
    }

    /**
     * Sets total to {@code total} (0 to MAX_UNITS) unless it is below done. Ignored once frozen.
     *
     * @return -1 if set or ignored, else the done that {@code total} is below (counts unchanged)
     */
    private long replaceTotal(long total) {
        long current;
        do {
            current = (long) COUNTS.getVolatile(this);
            if (isFrozen(current)) {
                return -1;
            }
            if (total < done(current)) {
                return done(current);
            }
        } while (!COUNTS.compareAndSet(this, current, pack(done(current), total)));
        return -1;
    }

    /** Freezes the counts (if not yet) and returns the final word. Called only once `ending` is set. */
    private long frozenCounts() {
        long current;
        do {
            current = (long) COUNTS.getVolatile(this);
            if (isFrozen(current)) {
                return current;
            }
        } while (!COUNTS.compareAndSet(this, current, current | FROZEN));
        return current | FROZEN;
    }

    // ---- roll-up ----

    /** The fraction of an ended node: the published one, or (before the winner published it) the same roll-up. */
    private double fractionOf(Ending e) {
        double fraction = e.fraction();
        return Double.isNaN(fraction) ? rollUp(frozenCounts()) : fraction;
    }

    /** Takes an ended child out of the running children and adds its share to the folded sums. */
    private void fold(Progress child, double fraction) {
        ChildNodes current;
        ChildNodes next;
        do {
            current = children;
            next = current.folding(child, fraction);
            if (next == null) {
                return;
            }
        } while (!CHILDREN.compareAndSet(this, current, next));
    }

    private double rollUp(long current) {
        ChildNodes c = children;
        double numerator = done(current) + c.work();
        double denominator = total(current) + c.weight();
        for (Progress child : c.running()) {
            numerator += child.weight * child.fraction();
            denominator += child.weight;
        }
        return denominator == 0.0 ? 0.0 : Math.min(1.0, numerator / denominator);
    }

    private static void requireName(String name) {
        Objects.requireNonNull(name, "name is null; a progress node needs a non-null name (may be empty)");
    }
}
