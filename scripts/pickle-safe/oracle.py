"""The globals a pickle imports, read with CPython's own pickletools (the oracle for src/core/pickle/scan.ts).

Only pickletools.genops is used: nothing is unpickled. STACK_GLOBAL takes the module and name from the two strings
on top of the stack, which this follows through the memo (MEMOIZE / PUT / GET) the way the pickle machine does.
"""
import pickletools

STRING_OPS = {'SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8', 'UNICODE', 'SHORT_BINSTRING', 'BINSTRING', 'STRING'}


def pickle_globals(data):
    """[(module, name)] in order, for every pickle in `data` up to the first that does not parse."""
    out = []
    pos = 0
    while pos < len(data):
        stack = []
        memo = {}
        try:
            for op, arg, at in pickletools.genops(data[pos:]):
                name = op.name
                if name in STRING_OPS:
                    stack.append(arg)
                elif name == 'MEMOIZE':
                    memo[len(memo)] = stack[-1] if stack else None
                elif name in ('PUT', 'BINPUT', 'LONG_BINPUT'):
                    memo[arg] = stack[-1] if stack else None
                elif name in ('GET', 'BINGET', 'LONG_BINGET'):
                    stack.append(memo.get(arg))
                elif name == 'GLOBAL' or name == 'INST':
                    module, _, attr = arg.partition(' ')
                    out.append((module, attr))
                    stack.append(None)
                elif name == 'STACK_GLOBAL':
                    attr = stack.pop() if stack else None
                    module = stack.pop() if stack else None
                    out.append((module, attr))
                    stack.append(None)
                elif name == 'STOP':
                    pos += at + 1
                    break
                else:
                    # Anything else: a value that is not a string (enough to keep the two-string look-back honest).
                    stack.append(None)
            else:
                break
        except Exception:
            break
    return out
