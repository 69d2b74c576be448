#pragma once
#include <weft.h>
