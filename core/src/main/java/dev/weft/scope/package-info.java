/**
 * Structured scopes: every task runs on a virtual thread inside a scope that never outlives it. See
 * {@link dev.weft.scope.Scope}.
 */
package dev.weft.scope;
