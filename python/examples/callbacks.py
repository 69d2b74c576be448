"""The asyncio tutorial, step 2: plain callbacks, now and two seconds later,
while the loop runs for three seconds."""
import asyncio
import time


def print_time():
    print(f"Callback at {time.strftime('%X')}")


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.call_soon(print_time)
loop.call_later(2, print_time)
loop.run_until_complete(asyncio.sleep(3))
loop.close()
